# shellcheck shell=bash
# bash completion for pmctl. The words come from pmctl itself (`pmctl __complete`, whose contract
# is at the top of src/cli/cmd_complete.cpp): commands, each command's options, and the apps'
# names, ids and namespaces from the registry --user or --system chooses. What each command's
# arguments are (apps, files, a signal) is said here, in _pmctl_arguments.

# The first field of each line `pmctl [--user|--system] __complete ARGS…` prints.
_pmctl_query() {
  local line
  while IFS= read -r line; do
    printf '%s\n' "${line%%$'\t'*}"
  done < <("$_pmctl_bin" "${_pmctl_scope[@]}" __complete "$@" 2>/dev/null)
}

# Offers the words given that start with the word being completed.
_pmctl_offer() {
  local word
  for word; do
    [[ $word == "$_pmctl_cur"* ]] && COMPREPLY+=("$word")
  done
}

_pmctl_files() {
  compopt -o filenames 2>/dev/null
  local file
  while IFS= read -r file; do COMPREPLY+=("$file"); done < <(compgen -f -- "$_pmctl_cur")
}

# Offers the output of `pmctl __complete ARGS…`.
_pmctl_offer_query() {
  local -a words
  mapfile -t words < <(_pmctl_query "$@")
  _pmctl_offer "${words[@]}"
}

# Apps, and "all" unless $1 is "one"; files as well when $2 is "files", or when no app matches
# and $2 is "else-files" (an ecosystem file).
_pmctl_apps() {
  _pmctl_offer_query apps
  [[ $1 == one ]] || _pmctl_offer all
  if [[ $2 == files ]] || { [[ $2 == else-files ]] && ((${#COMPREPLY[@]} == 0)); }; then
    _pmctl_files
  fi
}

# The arguments of command $1 (subcommand $2); $3 is which positional argument, from 1.
_pmctl_arguments() {
  case $1 in
    start) _pmctl_apps all files ;;
    dev | startOrRestart | startOrReload | startOrGracefulReload) _pmctl_files ;;
    stop | restart | reload | delete | del) _pmctl_apps all else-files ;;
    logs | log | flush | reloadLogs | reset) _pmctl_apps all ;;
    show | describe | info | desc | env | pid | id) _pmctl_apps one ;;
    scale) (($3 == 1)) && _pmctl_apps one ;;
    sendSignal)
      if (($3 == 1)); then
        _pmctl_offer SIGINT SIGTERM SIGHUP SIGUSR1 SIGUSR2 SIGQUIT SIGKILL
      else
        _pmctl_apps one
      fi
      ;;
    startup) (($3 == 1)) && _pmctl_offer systemd ;;
    init | ecosystem) (($3 == 1)) && _pmctl_offer simple ;;
    metrics | web) [[ -z $2 ]] && _pmctl_offer_query commands "$1" ;;
    help) (($3 == 1)) && _pmctl_offer_query commands ;;
  esac
}

# Whether option $1 of the command (words $2…) must be followed by a value. The command's
# options are asked once a completion.
_pmctl_takes_value() {
  local option=$1 line
  shift
  if [[ $_pmctl_options_of != "$*" ]]; then
    _pmctl_options_of=$*
    _pmctl_options=$("$_pmctl_bin" "${_pmctl_scope[@]}" __complete options "$@" 2>/dev/null)
  fi
  while IFS= read -r line; do
    [[ $line == "$option"$'\tvalue\t'* ]] && return 0
  done <<< "$_pmctl_options"
  return 1
}

_pmctl() {
  COMPREPLY=()
  local _pmctl_cur=${COMP_WORDS[COMP_CWORD]} _pmctl_bin=${COMP_WORDS[0]}
  local -a _pmctl_scope=() path=()
  local _pmctl_options_of=- _pmctl_options=
  [[ -x $_pmctl_bin ]] || _pmctl_bin=pmctl
  local command="" sub="" position=0 i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      --) _pmctl_files && return 0 ;;  # the script's own arguments follow
      --user | --system) _pmctl_scope+=("$word") ;;
      -*) [[ -n $command ]] && _pmctl_takes_value "$word" "${path[@]}" && ((i++)) ;;
      *)
        if [[ -z $command ]]; then
          command=$word path=("$word")
        elif [[ ($command == metrics || $command == web) && -z $sub ]]; then
          sub=$word path+=("$word")
        else
          ((position++))
        fi
        ;;
    esac
  done
  if ((i > COMP_CWORD)); then
    _pmctl_files  # the value of the option before it
  elif [[ $_pmctl_cur == -* ]]; then
    _pmctl_offer_query options "${path[@]}"
  elif [[ -z $command ]]; then
    _pmctl_offer_query commands
  else
    _pmctl_arguments "$command" "$sub" $((position + 1))
  fi
  return 0
}

complete -F _pmctl pmctl
