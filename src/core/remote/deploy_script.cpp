#include "core/remote/deploy_script.hpp"

#include <string_view>

namespace pmctl::core {
namespace {

// The steps, as shell functions. Every command that may read stdin gets /dev/null (the script
// itself comes on stdin) and every command that may leave a process behind gets the lock's
// descriptor closed (a daemon a hook starts must not hold the deploy lock for ever).
constexpr std::string_view kFunctions = R"BASH(
export GIT_TERMINAL_PROMPT=0
# A dropped connection must not stop the script between the checkout and the end (or the
# rollback): the script ignores SIGHUP and SIGPIPE, so its own writes just fail; hooks and git
# get the default actions back (untrap).
trap '' HUP PIPE
source_dir=$path/source
lock_file=$path/.pmctl-deploy.lock
deploys=$path/.deploys

say() { printf '  ○ %s\n' "$*"; }

# The one error line of a failure, in pmctl's format; exit status 1 tells pmctl it is out.
die() {
  local line="pmctl: error: deploy $env_name: $host: $1"
  if [ -n "${2:-}" ]; then line+=" (hint: $2)"; fi
  printf '%s\n' "$line" >&2
  exit 1
}

failed() { die "$1 failed (exit $2)" "${3:-}"; }

git_in_source() { (untrap && exec git -C "$source_dir" "$@") </dev/null 9>&-; }

untrap() { trap - HUP PIPE; }

# A hook runs where PM2 runs it (<path>/current; pre-setup in the home directory, as current
# does not exist yet) with SHARED set; more VAR=value words may follow the command.
hook() {
  local name=$1 dir=$2 cmd=$3
  shift 3
  [ -n "$cmd" ] || return 0
  say "executing $name \`$cmd\`"
  (untrap && cd "$dir" && exec env SHARED="$path/shared" "$@" bash -c "$cmd") </dev/null 9>&-
}

need_checkout() {
  [ -d "$source_dir/.git" ] ||
    die "$1: $source_dir is no git checkout" "run 'pmctl deploy $env_name setup' first"
}

# flock(1) on a descriptor this shell keeps open until it exits: one deploy per path at a time.
take_lock() {
  command -v flock >/dev/null 2>&1 ||
    die "lock: flock is not installed on this host" "install util-linux"
  exec 9>>"$lock_file" || failed lock $? "can this user write to $path?"
  flock -n 9 ||
    die "lock: another deploy is running there ($lock_file is held)" "wait for it to end, then run this again"
}

# .deploys into the array `lines` (none when there is no file yet); no pipelines, so no writer
# meets a closed pipe.
read_deploys() {
  lines=()
  if [ -f "$deploys" ]; then mapfile -t lines <"$deploys" || failed "read .deploys" $?; fi
}

already_set_up() {
  die "setup: $source_dir is already a git checkout" "run 'pmctl deploy $env_name' to update it"
}

run_pre_setup() {
  [ -n "$pre_setup" ] || return 0
  if [ -z "$pre_setup_script" ]; then
    hook pre-setup "$HOME" "$pre_setup"
    return
  fi
  say "executing pre-setup \`$pre_setup\` (the local file, with bash -s)"
  (untrap && cd && printf '%s' "$pre_setup_script" | SHARED="$path/shared" bash -s) 9>&-
}

# A setup that fails after its clone removes the clone and the link it made: setup can run again.
undo_setup() {
  rm -rf -- "$source_dir" && mkdir -- "$source_dir"
  if [ "$had_current" = 0 ]; then rm -f -- "$path/current"; fi
  failed "$1" "$2" "the clone in $source_dir is removed again: fix that, then run setup again"
}

setup() {
  if [ -e "$source_dir/.git" ]; then already_set_up; fi
  run_pre_setup || failed pre-setup $?
  say "running setup"
  mkdir -p -- "$path/shared/logs" "$path/shared/pids" "$source_dir" || failed "setup paths" $?
  take_lock
  if [ -e "$source_dir/.git" ]; then already_set_up; fi
  had_current=0
  if [ -e "$path/current" ] || [ -L "$path/current" ]; then had_current=1; fi
  say "cloning $repo"
  local depth=()
  if [ "$shallow" = 1 ]; then depth=(--depth=5); fi
  (untrap && exec git clone "${depth[@]}" --origin "$remote" --branch "$branch" -- "$repo" "$source_dir") \
    </dev/null 9>&- || failed clone $? "is $repo reachable from this host, with branch $branch?"
  ln -sfn -- "$source_dir" "$path/current" || undo_setup "link current" $?
  hook post-setup "$path/current" "$post_setup" || undo_setup post-setup $?
  say "setup complete"
}

# After the checkout, any failure puts source back on the commit (and branch) it was on, so the
# tree on disk stays the one last deployed; .deploys is written only at the very end.
roll_back() {
  local step=$1 status=$2 r
  if [ -n "$before_branch" ]; then
    git_in_source checkout -q -B "$before_branch" "$before"
  else
    git_in_source checkout -q --detach "$before"
  fi
  r=$?
  if [ $r -eq 0 ]; then
    failed "$step" "$status" "$source_dir is back at ${before:0:7} and .deploys is unchanged"
  fi
  die "$step failed (exit $status), and checking $source_dir out back at ${before:0:7} failed too (exit $r)" "see git's message above; .deploys is unchanged"
}

# revert n: the commit n+1 lines from the end of .deploys, as PM2 picks it.
revert_commit() {
  local lines commit
  read_deploys
  if [ "${#lines[@]}" -le "$revert_n" ]; then
    die "revert: $deploys lists ${#lines[@]} deploys, too few to go back $revert_n" "'pmctl deploy $env_name list' shows them"
  fi
  commit=${lines[${#lines[@]} - 1 - revert_n]}
  [[ $commit =~ ^[0-9a-f]{4,40}$ ]] || die "revert: '$commit' in $deploys is no commit"
  git_in_source cat-file -e "$commit^{commit}" 2>/dev/null ||
    die "revert: commit $commit is not in $source_dir" "'pmctl deploy $env_name' deploys $ref again"
  printf '%s\n' "$commit"
}

# update: the remote's branch after a fetch; revert: the commit revert_commit chose.
switch_source() {
  if [ -n "$revert_to" ]; then
    say "checking out $revert_to"
    git_in_source checkout -q --detach "$revert_to" ||
      failed checkout $? "local changes in $source_dir? 'git status' there shows them"
    return
  fi
  say "fetching updates"
  git_in_source fetch --all --tags || failed fetch $?
  say "checking out $ref"
  git_in_source checkout -q -B "$branch" "$remote/$branch" ||
    failed checkout $? "local changes in $source_dir? 'git status' there shows them"
}

deploy() {
  local action=update
  if [ -n "$revert_n" ]; then action=revert; fi
  need_checkout "$action"
  take_lock
  revert_to=
  if [ -n "$revert_n" ]; then revert_to=$(revert_commit) || exit 1; fi
  hook pre-deploy "$path/current" "$pre_deploy" || failed pre-deploy $?
  before=$(git_in_source rev-parse --verify HEAD) || failed "read HEAD" $?
  before_branch=$(git_in_source symbolic-ref -q --short HEAD)
  switch_source
  ln -sfn -- "$source_dir" "$path/current" || roll_back "link current" $?
  hook post-deploy "$path/current" "$post_deploy" "${deploy_env[@]}" || roll_back post-deploy $?
  local hash
  hash=$(git_in_source rev-parse --short HEAD) && printf '%s\n' "$hash" >>"$deploys" ||
    roll_back "record .deploys" $?
  say "successfully deployed $hash"
}

current() {
  need_checkout curr
  git_in_source rev-parse --short HEAD || failed curr $?
}

previous() {
  local lines
  read_deploys
  [ "${#lines[@]}" -ge 2 ] || die "prev: $deploys lists no deploy before the current one"
  printf '%s\n' "${lines[${#lines[@]} - 2]}"
}

list() {
  local lines i
  read_deploys
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    printf '%d\t%s\n' "$((${#lines[@]} - 1 - i))" "${lines[i]}"
  done
}

run_exec() {
  [ -d "$path/current" ] || die "exec: $path/current does not exist" "run 'pmctl deploy $env_name setup' first"
  (untrap && cd "$path/current" && SHARED="$path/shared" exec bash -c "$exec_cmd") </dev/null 9>&- ||
    failed exec $?
}
)BASH";

void assign(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += '=';
  out += shell_quote(value);
  out += '\n';
}

/// The values the functions read, each one quoted shell word.
std::string variables(const DeployTarget& t, const DeployCommand& c, const std::string& host,
                      const std::string& pre_setup_script) {
  std::string out;
  assign(out, "env_name", t.env);
  assign(out, "host", host);
  assign(out, "path", t.path);
  assign(out, "repo", t.repo);
  assign(out, "ref", t.ref);
  assign(out, "remote", t.remote);
  assign(out, "branch", t.branch);
  assign(out, "shallow", t.shallow ? "1" : "0");
  assign(out, "pre_setup", t.pre_setup);
  assign(out, "pre_setup_script", pre_setup_script);
  assign(out, "post_setup", t.post_setup);
  assign(out, "pre_deploy", t.pre_deploy);
  assign(out, "post_deploy", t.post_deploy);
  assign(out, "exec_cmd", c.exec);
  assign(out, "revert_n",
         c.action == DeployAction::kRevert ? std::to_string(c.revert_count) : std::string());
  out += "deploy_env=(";
  for (const auto& [name, value] : t.env_vars) {
    std::string word = name;
    word += '=';
    word += value;
    out += ' ';
    out += shell_quote(word);
  }
  out += " )\n";
  return out;
}

std::string_view function_of(DeployAction action) {
  switch (action) {
    case DeployAction::kSetup:
      return "setup";
    case DeployAction::kUpdate:
    case DeployAction::kRevert:
      return "deploy";
    case DeployAction::kCurrent:
      return "current";
    case DeployAction::kPrevious:
      return "previous";
    case DeployAction::kList:
      return "list";
    case DeployAction::kExec:
      return "run_exec";
  }
  return "false";
}

}  // namespace

std::string deploy_script(const DeployTarget& target, const DeployCommand& command,
                          const std::string& host_label, const std::string& pre_setup_script) {
  std::string script = "# pmctl deploy ";
  script += target.env;
  script += " on ";
  script += host_label;
  script += " (made by pmctl, read by bash -s)\n";
  script += variables(target, command, host_label, pre_setup_script);
  script += kFunctions;
  // The call is the last command, in braces with stdin from /dev/null: bash reads the whole
  // group before it runs, and nothing the steps start can read the rest of this script.
  script += "{ ";
  script += function_of(command.action);
  script += "; } </dev/null\nexit 0\n";
  return script;
}

}  // namespace pmctl::core
