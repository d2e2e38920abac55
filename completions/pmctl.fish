# fish completion for pmctl. The words come from pmctl itself (`pmctl __complete`, whose contract
# is at the top of src/cli/cmd_complete.cpp): commands, each command's options, and the apps'
# names, ids and namespaces from the registry --user or --system chooses. What each command's
# arguments are (apps, files, a signal) is said here, in __pmctl_arguments, as in pmctl.bash.

# `pmctl [--user|--system] __complete ARGS…` as fish's word<TAB>description (the last field).
function __pmctl_query -a bin
    set -l scope $__pmctl_scope
    for line in ($bin $scope __complete $argv[2..] 2>/dev/null)
        set -l fields (string split \t -- $line)
        printf '%s\t%s\n' $fields[1] $fields[-1]
    end
end

# Apps, and "all" unless $2 is "one"; files as well when $3 is "files", or when no app matches
# and $3 is "else-files" (an ecosystem file).
function __pmctl_apps -a bin one files
    set -l cur (commandline -ct)
    set -l apps (__pmctl_query $bin apps)
    test "$one" = one; or set -a apps all\tevery\ app
    printf '%s\n' $apps
    set -l matching (string match -- "$cur*" (string replace -r '\t.*' '' -- $apps))
    if test "$files" = files; or begin
            test "$files" = else-files; and test (count $matching) -eq 0
        end
        __fish_complete_path $cur
    end
end

# The arguments of command $2 (subcommand $3); $4 is which positional argument, from 1.
function __pmctl_arguments -a bin command sub position
    switch $command
        case start
            __pmctl_apps $bin all files
        case dev startOrRestart startOrReload startOrGracefulReload
            __fish_complete_path (commandline -ct)
        case stop restart reload delete del
            __pmctl_apps $bin all else-files
        case logs log flush reloadLogs reset
            __pmctl_apps $bin all
        case show describe info desc env pid id
            __pmctl_apps $bin one
        case scale
            test $position -eq 1; and __pmctl_apps $bin one
        case sendSignal
            if test $position -eq 1
                printf '%s\n' SIGINT SIGTERM SIGHUP SIGUSR1 SIGUSR2 SIGQUIT SIGKILL
            else
                __pmctl_apps $bin one
            end
        case startup
            test $position -eq 1; and echo systemd
        case init ecosystem
            test $position -eq 1; and echo simple
        case metrics web
            test -z "$sub"; and __pmctl_query $bin commands $command
        case help
            test $position -eq 1; and __pmctl_query $bin commands
    end
end

# Whether option $2 of the command (words $3…) must be followed by a value. The command's
# options are asked once a completion.
function __pmctl_takes_value -a bin option
    if test "$__pmctl_options_of" != "$argv[3..]"
        set -g __pmctl_options_of "$argv[3..]"
        set -g __pmctl_options ($bin $__pmctl_scope __complete options $argv[3..] 2>/dev/null)
    end
    string match -q -- "$option"\tvalue\t'*' $__pmctl_options
end

function __pmctl_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l bin $words[1]
    test -x "$bin"; or set bin pmctl
    set -g __pmctl_scope
    set -g __pmctl_options_of -
    set -l command
    set -l sub
    set -l command_path
    set -l position 0
    set -l value_next 0
    for word in $words[2..]
        if test $value_next -eq 1
            set value_next 0
            continue
        end
        switch $word
            case --
                __fish_complete_path $cur # the script's own arguments follow
                return
            case --user --system
                set -a __pmctl_scope $word
            case '-*'
                if test -n "$command"; and __pmctl_takes_value $bin $word $command_path
                    set value_next 1
                end
            case '*'
                if test -z "$command"
                    set command $word
                    set command_path $word
                else if contains -- $command metrics web; and test -z "$sub"
                    set sub $word
                    set -a command_path $word
                else
                    set position (math $position + 1)
                end
        end
    end
    if test $value_next -eq 1
        __fish_complete_path $cur # the value of the option before it
    else if string match -q -- '-*' $cur
        __pmctl_query $bin options $command_path
    else if test -z "$command"
        __pmctl_query $bin commands
    else
        __pmctl_arguments $bin $command "$sub" (math $position + 1)
    end
end

complete -c pmctl -f -a '(__pmctl_complete)'
