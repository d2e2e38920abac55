#!/usr/bin/env bash
# tests/docs/check-man.sh PMCTL_BINARY RENDERED_DIR
#
# Checks the man pages the build rendered (man/meson.build: scdoc's roff, in RENDERED_DIR)
# against man-db and against the binary's own help. Exits 1 naming each problem on stderr, one
# line each; 0 when there is none; 2 on a wrong command line; 77 (meson's "skipped") when man-db's
# `man` is not installed.
#
# (a) Warnings. `man --warnings -l PAGE`, run with MANWIDTH=80 and LC_ALL=C.UTF-8 and its output
#     thrown away, must print nothing on stderr (groff's and man-db's warnings) and exit 0, for
#     each of pmctl.1, pmctl-ecosystem.5 and pmctl-balancer.8 in RENDERED_DIR.
#
# (b) Coverage. pmctl.1 must document every word and option the help lists:
#     - command words: every name and alias in the "Subcommands:" list of `PMCTL_BINARY --help`
#       (a row is two spaces, "name, alias, …", two or more spaces, the description), and the
#       same list in `PMCTL_BINARY CMD --help` of each command that has one (metrics, web);
#     - options: every form, short and long, in the "Options:" list of `PMCTL_BINARY --help`,
#       of `PMCTL_BINARY CMD --help` for each command's name (not its aliases: they print the
#       same), and of `PMCTL_BINARY CMD SUB --help` for each of its subcommands (a row is two
#       spaces, then the forms up to the first space, separated by commas: "-n,--name TEXT"
#       gives -n and --name; rows that do not start with "  -" are description lines).
#     A command's help is only read when its "Usage:" line is the command's own ("Usage: pmctl
#     CMD …"): `pmctl help --help` prints pmctl's top-level help, already read.
#     A word or an option is documented when it is an item of a bold span of pmctl.1's roff,
#     anywhere in the page. A bold span is the text from "\fB" to the next "\fR" (or the end of
#     the line) on one line: what scdoc makes of *…*. Before the split, the roff escapes "\&"
#     and "\:" are removed and "\-", "\(aq", "\*(Aq" and "\e" become "-", "'", "'" and "\". The
#     items are the span's text split at spaces, commas and the characters | = [ ]. So
#     "*-c, --cron, --cron-restart* _pattern_" documents -c, --cron and --cron-restart, and
#     "*restart*|*reload*" restart and reload, "*--node-args=null*" --node-args and null; a
#     word in plain (or italic) text documents nothing.
set -uo pipefail

readonly pages=(pmctl.1 pmctl-ecosystem.5 pmctl-balancer.8)

if [ $# -ne 2 ]; then
  echo "usage: $0 PMCTL_BINARY RENDERED_DIR" >&2
  exit 2
fi
pmctl=$1
dir=$2
if ! command -v man >/dev/null; then
  echo "check-man: man (man-db) is not installed: skipped" >&2
  exit 77
fi

problems=0
problem() {
  echo "check-man: $*" >&2
  problems=$((problems + 1))
}

# (a) man-db's and groff's warnings.
for page in "${pages[@]}"; do
  if [ ! -f "$dir/$page" ]; then
    problem "$dir/$page: missing (was it rendered?)"
    continue
  fi
  if ! warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$dir/$page" 2>&1 >/dev/null); then
    problem "$page: man --warnings -l failed${warnings:+: $warnings}"
  elif [ -n "$warnings" ]; then
    while IFS= read -r line; do problem "$page: $line"; done <<<"$warnings"
  fi
done

# The items of the bold spans of roff text on stdin, one a line (see (b) above).
bold_items() {
  sed -e 's/\\&//g' -e 's/\\://g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e "s/\\\\\\*(Aq/'/g" \
    -e 's/\\e/\\/g' |
    awk '{
      n = split($0, parts, /\\fB/)
      for (i = 2; i <= n; i++) {
        end = index(parts[i], "\\fR")
        span = end ? substr(parts[i], 1, end - 1) : parts[i]
        m = split(span, items, /[][ ,|=]+/)
        for (j = 1; j <= m; j++) if (items[j] != "") print items[j]
      }
    }'
}

# The lists of one help text on stdin: "name WORD" for the first name of a row of
# "Subcommands:", "alias WORD" for the others, "option FORM" for each form of a row of
# "Options:".
help_lists() {
  awk '
    /^$/ { section = ""; next }
    /^[A-Za-z][A-Za-z ]*:$/ { section = $0; next }
    section == "Subcommands:" && /^  [^ ]/ {
      line = substr($0, 3)
      cut = index(line, "  ")
      names = cut ? substr(line, 1, cut - 1) : line
      n = split(names, w, /, */)
      for (i = 1; i <= n; i++) if (w[i] != "") print (i == 1 ? "name " : "alias ") w[i]
      next
    }
    section == "Options:" && /^  -/ {
      line = substr($0, 3)
      cut = index(line, " ")
      forms = cut ? substr(line, 1, cut - 1) : line
      n = split(forms, f, /,/)
      for (i = 1; i <= n; i++) if (f[i] != "") print "option " f[i]
    }'
}

# (b) Every command word and option of the help, in pmctl.1's bold spans.
if [ -f "$dir/pmctl.1" ]; then
  declare -A documented=() reported=()
  while IFS= read -r item; do documented[$item]=1; done < <(bold_items <"$dir/pmctl.1")

  # $1 what ("command" or "option"), $2 the word, $3 the help it comes from.
  need() {
    [ -n "${documented[$2]:-}" ] && return
    [ -n "${reported[$1 $2]:-}" ] && return
    reported[$1 $2]=1
    problem "pmctl.1: $1 '$2' ($3) is not documented (no bold '$2' in the page)"
  }

  # Reads one help text: checks its words and options, and leaves the names of its subcommands
  # in `names`. $1 the command line that printed it, $2 its text. (No subshell: `problem` counts.)
  names=()
  check_help() {
    local entry lines=()
    names=()
    mapfile -t lines < <(help_lists <<<"$2")
    for entry in "${lines[@]}"; do
      case ${entry%% *} in
        name) need command "${entry#* }" "$1"; names+=("${entry#* }") ;;
        alias) need command "${entry#* }" "$1" ;;
        option) need option "${entry#* }" "$1" ;;
      esac
    done
  }

  # `pmctl ARGS... --help` into `text`; false (and a problem) when it fails.
  text=""
  read_help() {
    if ! text=$("$pmctl" "$@" --help 2>&1); then
      problem "'pmctl $* --help' failed: ${text%%$'\n'*}"
      return 1
    fi
  }

  if read_help; then
    check_help "pmctl --help" "$text"
    commands=("${names[@]}")
    [ ${#commands[@]} -gt 0 ] || problem "'pmctl --help' lists no commands under 'Subcommands:'"
    for cmd in "${commands[@]}"; do
      read_help "$cmd" || continue
      grep -q "^Usage: pmctl $cmd\( \|$\)" <<<"$text" || continue
      check_help "pmctl $cmd --help" "$text"
      subs=("${names[@]}")
      for sub in "${subs[@]}"; do
        read_help "$cmd" "$sub" && check_help "pmctl $cmd $sub --help" "$text"
      done
    done
  fi
fi

if [ "$problems" -gt 0 ]; then
  echo "check-man: $problems problem(s)" >&2
  exit 1
fi
echo "check-man: ${pages[*]}: no warnings; pmctl.1 documents every command and option of the help"
