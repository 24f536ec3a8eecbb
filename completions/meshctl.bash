#!/bin/bash

__meshctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__meshctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__meshctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__meshctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_meshctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(-h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    validate|analyze|simulate|proxy-config|proxy-status|apply|proxy|rollout|experimental|demo|graph|version|help)
        # Offer subcommand argument completions
        "_meshctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'validate analyze simulate proxy-config proxy-status apply proxy rollout experimental demo graph version help' -- "${cur}"))
        ;;
    esac
}

_meshctl_validate() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename)
    non_repeating_options=(-o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_analyze() {
    repeating_flags=()
    non_repeating_flags=(-R --recursive -A --all-namespaces --list-analyzers -h --help)
    repeating_options=(-f --filename -S --suppress)
    non_repeating_options=(-o --output --failure-threshold --output-threshold -n --namespace --color --mesh-config)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    '--failure-threshold')
        __meshctl_add_completions -W 'info'$'\n''warning'$'\n''error'
        return
        ;;
    '--output-threshold')
        __meshctl_add_completions -W 'info'$'\n''warning'$'\n''error'
        return
        ;;
    '-S'|'--suppress')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '--color')
        __meshctl_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_meshctl_simulate() {
    repeating_flags=()
    non_repeating_flags=(--inbound -h --help)
    repeating_options=(-f --filename -H)
    non_repeating_options=(--host --path --method --scheme --port --protocol --sni --destination-ip --source-labels --source-namespace --gateway --compatibility-version --mesh-config -n --seed -o --output --workload-labels --workload-namespace --service-account --source-principal --source-ip --remote-ip --jwt --trust-domain)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--host')
        return
        ;;
    '--path')
        return
        ;;
    '--method')
        return
        ;;
    '--scheme')
        return
        ;;
    '-H')
        return
        ;;
    '--port')
        return
        ;;
    '--protocol')
        __meshctl_add_completions -W 'http'$'\n''tcp'$'\n''tls'
        return
        ;;
    '--sni')
        return
        ;;
    '--destination-ip')
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '-n')
        return
        ;;
    '--seed')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--workload-labels')
        return
        ;;
    '--workload-namespace')
        return
        ;;
    '--service-account')
        return
        ;;
    '--source-principal')
        return
        ;;
    '--source-ip')
        return
        ;;
    '--remote-ip')
        return
        ;;
    '--jwt')
        return
        ;;
    '--trust-domain')
        return
        ;;
    esac
}

_meshctl_proxy-config() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    cluster|listener|route|endpoint|eds|bootstrap|secret|ecds|all|log)
        # Offer subcommand argument completions
        "_meshctl_proxy-config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'cluster listener route endpoint eds bootstrap secret ecds all log' -- "${cur}"))
        ;;
    esac
}

_meshctl_proxy-config_cluster() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --fqdn --direction --subset --port)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--fqdn')
        return
        ;;
    '--direction')
        return
        ;;
    '--subset')
        return
        ;;
    '--port')
        return
        ;;
    esac
}

_meshctl_proxy-config_listener() {
    repeating_flags=()
    non_repeating_flags=(--verbose --no-verbose -h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --address --type --port)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--address')
        return
        ;;
    '--type')
        return
        ;;
    '--port')
        return
        ;;
    esac
}

_meshctl_proxy-config_route() {
    repeating_flags=()
    non_repeating_flags=(--verbose --no-verbose -h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --name)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--name')
        return
        ;;
    esac
}

_meshctl_proxy-config_endpoint() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --address --port --cluster --status)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--address')
        return
        ;;
    '--port')
        return
        ;;
    '--cluster')
        return
        ;;
    '--status')
        return
        ;;
    esac
}

_meshctl_proxy-config_eds() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --address --port --cluster --status)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--address')
        return
        ;;
    '--port')
        return
        ;;
    '--cluster')
        return
        ;;
    '--status')
        return
        ;;
    esac
}

_meshctl_proxy-config_bootstrap() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_proxy-config_secret() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_proxy-config_ecds() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_proxy-config_all() {
    repeating_flags=()
    non_repeating_flags=(--verbose --no-verbose -h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--file --timeout --listen --mesh-config --source-labels --source-namespace --gateway --compatibility-version -o --output --fqdn --direction --subset --port --address --type --name)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--file')
        __meshctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--listen')
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--source-labels')
        return
        ;;
    '--source-namespace')
        return
        ;;
    '--gateway')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    '--fqdn')
        return
        ;;
    '--direction')
        return
        ;;
    '--subset')
        return
        ;;
    '--port')
        return
        ;;
    '--address')
        return
        ;;
    '--type')
        return
        ;;
    '--name')
        return
        ;;
    esac
}

_meshctl_proxy-config_log() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--admin)
    non_repeating_options=(--timeout --level -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--level')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_proxy-status() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose -h --help)
    repeating_options=(--admin -f --rules)
    non_repeating_options=(--timeout -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '-f'|'--rules')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_apply() {
    repeating_flags=()
    non_repeating_flags=(--prune --dry-run -h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--timeout -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_proxy() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|stats|log)
        # Offer subcommand argument completions
        "_meshctl_proxy_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run stats log' -- "${cur}"))
        ;;
    esac
}

_meshctl_proxy_run() {
    repeating_flags=()
    non_repeating_flags=(--expose-admin --watch -h --help)
    repeating_options=(-f --filename --outbound-port)
    non_repeating_options=(--mesh-config --listen --admin --inbound --app --service-account --ca --certificate-lifetime --cert --key --root --concurrency --access-log --zipkin --trace-sampling --log-level --namespace --labels --workload --compatibility-version --drain-time --ready-file)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--mesh-config')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--listen')
        return
        ;;
    '--admin')
        return
        ;;
    '--inbound')
        return
        ;;
    '--app')
        return
        ;;
    '--service-account')
        return
        ;;
    '--ca')
        __meshctl_add_completions -d
        return
        ;;
    '--certificate-lifetime')
        return
        ;;
    '--cert')
        __meshctl_add_completions -f
        return
        ;;
    '--key')
        __meshctl_add_completions -f
        return
        ;;
    '--root')
        __meshctl_add_completions -f
        return
        ;;
    '--outbound-port')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--access-log')
        return
        ;;
    '--zipkin')
        return
        ;;
    '--trace-sampling')
        return
        ;;
    '--log-level')
        return
        ;;
    '--namespace')
        return
        ;;
    '--labels')
        return
        ;;
    '--workload')
        return
        ;;
    '--compatibility-version')
        return
        ;;
    '--drain-time')
        return
        ;;
    '--ready-file')
        __meshctl_add_completions -f
        return
        ;;
    esac
}

_meshctl_proxy_stats() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--admin)
    non_repeating_options=(--timeout --filter -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--filter')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'$'\n''prom'
        return
        ;;
    esac
}

_meshctl_proxy_log() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--admin)
    non_repeating_options=(--timeout --level -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '--level')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'short'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_rollout() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    plan|start|step|run|status|promote|pause|resume|abort|retry|history)
        # Offer subcommand argument completions
        "_meshctl_rollout_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'plan start step run status promote pause resume abort retry history' -- "${cur}"))
        ;;
    esac
}

_meshctl_rollout_plan() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename)
    non_repeating_options=(-o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_rollout_start() {
    repeating_flags=()
    non_repeating_flags=(--write --restart -h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--prometheus --state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--prometheus')
        return
        ;;
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_step() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_run() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_status() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose --watch -h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_rollout_promote() {
    repeating_flags=()
    non_repeating_flags=(--full -h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_pause() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_resume() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_abort() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_retry() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_meshctl_rollout_history() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --timeout -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __meshctl_add_completions -d
        return
        ;;
    '--timeout')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_experimental() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    metrics|load|ca|traces)
        # Offer subcommand argument completions
        "_meshctl_experimental_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'metrics load ca traces' -- "${cur}"))
        ;;
    esac
}

_meshctl_experimental_metrics() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--admin)
    non_repeating_options=(--timeout -d --duration --reporter -o --output)
    __meshctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '-d'|'--duration')
        return
        ;;
    '--reporter')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_experimental_load() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-H --header)
    non_repeating_options=(-c --connections --qps -t --duration -n --requests --host -x --proxy -X --method --threads --timeout -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connections')
        return
        ;;
    '--qps')
        return
        ;;
    '-t'|'--duration')
        return
        ;;
    '-n'|'--requests')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--host')
        return
        ;;
    '-x'|'--proxy')
        return
        ;;
    '-X'|'--method')
        return
        ;;
    '--threads')
        return
        ;;
    '--timeout')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_experimental_ca() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    init|issue)
        # Offer subcommand argument completions
        "_meshctl_experimental_ca_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'init issue' -- "${cur}"))
        ;;
    esac
}

_meshctl_experimental_ca_init() {
    repeating_flags=()
    non_repeating_flags=(--force -h --help)
    repeating_options=()
    non_repeating_options=(--dir --trust-domain --validity)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dir')
        return
        ;;
    '--trust-domain')
        return
        ;;
    '--validity')
        return
        ;;
    esac
}

_meshctl_experimental_ca_issue() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--dir --namespace --service-account --lifetime --out)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dir')
        return
        ;;
    '--namespace')
        return
        ;;
    '--service-account')
        return
        ;;
    '--lifetime')
        return
        ;;
    '--out')
        return
        ;;
    esac
}

_meshctl_experimental_traces() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    collect|list)
        # Offer subcommand argument completions
        "_meshctl_experimental_traces_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'collect list' -- "${cur}"))
        ;;
    esac
}

_meshctl_experimental_traces_collect() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--listen --max-traces --ready-file)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--max-traces')
        return
        ;;
    '--ready-file')
        __meshctl_add_completions -f
        return
        ;;
    esac
}

_meshctl_experimental_traces_list() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--zipkin --service --trace-id --limit -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--zipkin')
        return
        ;;
    '--service')
        return
        ;;
    '--trace-id')
        return
        ;;
    '--limit')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_demo() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|backend)
        # Offer subcommand argument completions
        "_meshctl_demo_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run backend' -- "${cur}"))
        ;;
    esac
}

_meshctl_demo_run() {
    repeating_flags=()
    non_repeating_flags=(--keep-running -h --help)
    repeating_options=(--stage)
    non_repeating_options=(--base-port --requests --fault-delay --ready-file --zipkin -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--stage')
        __meshctl_add_completions -W 'routing'$'\n''header'$'\n''split'$'\n''mirror'$'\n''fault'$'\n''circuit-breaker'$'\n''ejection'$'\n''egress'$'\n''canary'$'\n''none'
        return
        ;;
    '--base-port')
        return
        ;;
    '--requests')
        return
        ;;
    '--fault-delay')
        return
        ;;
    '--ready-file')
        __meshctl_add_completions -f
        return
        ;;
    '--zipkin')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_demo_backend() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--name --version --listen --status --fail-rate --delay --call --via --ready-file)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--version')
        return
        ;;
    '--listen')
        return
        ;;
    '--status')
        return
        ;;
    '--fail-rate')
        return
        ;;
    '--delay')
        return
        ;;
    '--call')
        return
        ;;
    '--via')
        return
        ;;
    '--ready-file')
        __meshctl_add_completions -f
        return
        ;;
    esac
}

_meshctl_graph() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(-f --filename --admin)
    non_repeating_options=(--timeout -d --duration -o --output --output-file)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '-d'|'--duration')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'dot'$'\n''svg'$'\n''png'
        return
        ;;
    '--output-file')
        __meshctl_add_completions -f
        return
        ;;
    esac
}

_meshctl_version() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--admin)
    non_repeating_options=(--timeout -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--admin')
        return
        ;;
    '--timeout')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_help() {
    :
}

complete -o filenames -F _meshctl meshctl
