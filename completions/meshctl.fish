function __meshctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __meshctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __meshctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __meshctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __meshctl_parse_tokens -S
    set -l unparsed_tokens (__meshctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'meshctl'
        __meshctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'validate'
            __meshctl_parse_subcommand 0 'f/filename=+' 'o/output=' 'version' 'h/help'
        case 'analyze'
            __meshctl_parse_subcommand 0 'f/filename=+' 'R/recursive' 'o/output=' 'failure-threshold=' 'output-threshold=' 'S/suppress=+' 'n/namespace=' 'A/all-namespaces' 'color=' 'mesh-config=' 'list-analyzers' 'version' 'h/help'
        case 'simulate'
            __meshctl_parse_subcommand 0 'f/filename=+' 'host=' 'path=' 'method=' 'scheme=' 'H=+' 'port=' 'source-labels=' 'source-namespace=' 'gateway=' 'mesh-config=' 'n=' 'seed=' 'o/output=' 'version' 'h/help'
        case 'proxy-config'
            __meshctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'routes'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=' 'listen=' 'mesh-config=' 'o/output=' 'name=' 'version' 'h/help'
            case 'clusters'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=' 'listen=' 'mesh-config=' 'o/output=' 'fqdn=' 'port=' 'subset=' 'direction=' 'version' 'h/help'
            case 'listeners'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=' 'listen=' 'mesh-config=' 'o/output=' 'address=' 'port=' 'version' 'h/help'
            case 'endpoints'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=' 'listen=' 'mesh-config=' 'o/output=' 'cluster=' 'version' 'h/help'
            case 'all'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=' 'listen=' 'mesh-config=' 'o/output=' 'version' 'h/help'
            end
        case 'help'
            __meshctl_parse_subcommand -r 1 'version'
        end
    end
end

function __meshctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __meshctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __meshctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __meshctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__meshctl_tokens -p)
    if test -z "$(__meshctl_tokens -t)"
        set -l index (count (__meshctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'meshctl' -f
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'validate' -d 'Check rule files against Istio\'s schema and validation rules.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'analyze' -d 'Check rule files together, as istioctl analyze does, with a position on every finding.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'simulate' -d 'Show where a request would be routed, and why.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'proxy-config' -d 'Show the Envoy configuration rules produce, or that a proxy runs.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate"' -s 'f' -l 'filename' -d 'A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" o output' -s 'o' -l 'output' -d 'Output format: text or json.' -rfka 'text json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze"' -s 'f' -l 'filename' -d 'A rule or Kubernetes file, a directory (recursively) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" R recursive' -s 'R' -l 'recursive' -d 'Read directories recursively: always done, accepted as istioctl has it.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" o output' -s 'o' -l 'output' -d 'Output format: text, json or yaml.' -rfka 'text json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" failure-threshold' -l 'failure-threshold' -d 'The lowest level that makes analyze exit 79: error, warning or info.' -rfka 'info warning error'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" output-threshold' -l 'output-threshold' -d 'The lowest level of finding to print: info (all), warning or error. The exit status counts every finding.' -rfka 'info warning error'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze"' -s 'S' -l 'suppress' -d 'Suppress findings: CODE=Kind namespace/name (or istioctl\'s CODE=Kind name.namespace); \'*\' is a wildcard. Repeatable.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" n namespace' -s 'n' -l 'namespace' -d 'Report only findings on resources in this namespace; every resource is still analyzed.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" A all-namespaces' -s 'A' -l 'all-namespaces' -d 'Report findings in every namespace (the default).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" color' -l 'color' -d 'Colour levels in text output: auto (on a terminal, unless NO_COLOR is set), always or never.' -rfka 'auto always never'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" list-analyzers' -l 'list-analyzers' -d 'List every code meshctl reports, with its level, and exit.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate"' -s 'f' -l 'filename' -d 'A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" host' -l 'host' -d 'The request\'s Host (authority); a port after \':\' is ignored for routing.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" path' -l 'path' -d 'The request path, with an optional query string.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" method' -l 'method' -d 'The HTTP method.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" scheme' -l 'scheme' -d 'The request scheme.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate"' -s 'H' -d 'A request header, \'name: value\'. Repeatable.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" port' -l 'port' -d 'The listener port the request arrives on (for match.port); by default the port in --host, if any.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" gateway' -l 'gateway' -d 'Simulate at this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" n' -s 'n' -d 'Simulate this many requests and print the distribution.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" seed' -l 'seed' -d 'Seed for weighted choices and fault percentages (the same seed gives the same answers).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" o output' -s 'o' -l 'output' -d 'Output format: text or json.' -rfka 'text json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'routes' -d 'Route configurations: virtual hosts and routes.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'clusters' -d 'Clusters: one per service port and subset.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'listeners' -d 'Listeners and where their traffic goes.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'endpoints' -d 'Endpoints of each cluster, with health and outlier status.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'all' -d 'Everything: with -o json or yaml, the whole /config_dump document.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" file' -l 'file' -d 'An Envoy config dump (JSON) to read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" admin' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (reads /config_dump).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" name' -l 'name' -d 'Only the route configuration with this name (e.g. 15001).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config routes" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" file' -l 'file' -d 'An Envoy config dump (JSON) to read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" admin' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (reads /config_dump).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" fqdn' -l 'fqdn' -d 'Only clusters whose service FQDN contains this.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" port' -l 'port' -d 'Only this port.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" subset' -l 'subset' -d 'Only this subset.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" direction' -l 'direction' -d 'Only this direction (outbound).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config clusters" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" file' -l 'file' -d 'An Envoy config dump (JSON) to read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" admin' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (reads /config_dump).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" address' -l 'address' -d 'Only listeners on this address.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" port' -l 'port' -d 'Only listeners on this port.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listeners" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" file' -l 'file' -d 'An Envoy config dump (JSON) to read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" admin' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (reads /config_dump).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" cluster' -l 'cluster' -d 'Only endpoints of clusters whose name contains this.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoints" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" file' -l 'file' -d 'An Envoy config dump (JSON) to read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" admin' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (reads /config_dump).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap) for outboundTrafficPolicy.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" version' -l 'version' -d 'Show the version.'
