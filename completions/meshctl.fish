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
            __meshctl_parse_subcommand 0 'f/filename=+' 'host=' 'path=' 'method=' 'scheme=' 'H=+' 'port=' 'protocol=' 'sni=' 'destination-ip=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'mesh-config=' 'n=' 'seed=' 'o/output=' 'version' 'h/help'
        case 'proxy-config'
            __meshctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'cluster'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'fqdn=' 'direction=' 'subset=' 'port=' 'version' 'h/help'
            case 'listener'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'address=' 'type=' 'port=' 'verbose' 'no-verbose' 'version' 'h/help'
            case 'route'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'name=' 'verbose' 'no-verbose' 'version' 'h/help'
            case 'endpoint'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'address=' 'port=' 'cluster=' 'status=' 'version' 'h/help'
            case 'eds'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'address=' 'port=' 'cluster=' 'status=' 'version' 'h/help'
            case 'bootstrap'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'version' 'h/help'
            case 'secret'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'version' 'h/help'
            case 'ecds'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'version' 'h/help'
            case 'all'
                __meshctl_parse_subcommand 0 'f/filename=+' 'file=' 'admin=+' 'timeout=' 'listen=' 'mesh-config=' 'source-labels=' 'source-namespace=' 'gateway=' 'compatibility-version=' 'o/output=' 'fqdn=' 'direction=' 'subset=' 'port=' 'address=' 'type=' 'name=' 'verbose' 'no-verbose' 'version' 'h/help'
            case 'log'
                __meshctl_parse_subcommand 0 'admin=+' 'timeout=' 'level=' 'o/output=' 'version' 'h/help'
            end
        case 'proxy-status'
            __meshctl_parse_subcommand 0 'admin=+' 'timeout=' 'f/rules=+' 'v/verbose' 'o/output=' 'version' 'h/help'
        case 'apply'
            __meshctl_parse_subcommand 0 'f/filename=+' 'admin=+' 'timeout=' 'prune' 'dry-run' 'o/output=' 'version' 'h/help'
        case 'proxy'
            __meshctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __meshctl_parse_subcommand 0 'f/filename=+' 'mesh-config=' 'listen=' 'admin=' 'outbound-port=+' 'expose-admin' 'concurrency=' 'watch' 'access-log=' 'zipkin=' 'trace-sampling=' 'log-level=' 'namespace=' 'labels=' 'workload=' 'compatibility-version=' 'drain-time=' 'ready-file=' 'version' 'h/help'
            case 'stats'
                __meshctl_parse_subcommand 0 'admin=+' 'timeout=' 'filter=' 'o/output=' 'version' 'h/help'
            end
        case 'experimental'
            __meshctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'metrics'
                __meshctl_parse_subcommand -r 1 'admin=+' 'timeout=' 'd/duration=' 'reporter=' 'o/output=' 'version' 'h/help'
            end
        case 'demo'
            __meshctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'backend'
                __meshctl_parse_subcommand 0 'name=' 'version=' 'listen=' 'status=' 'fail-rate=' 'delay=' 'ready-file=' 'version' 'h/help'
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
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'simulate' -d 'Show where a request (or a TCP or TLS connection) would be routed, and why.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'proxy-config' -d 'Show the Envoy configuration rules produce, or that a proxy runs.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'proxy-status' -d 'One row per running proxy: its state, config version, uptime, and whether it runs the given rules.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'apply' -d 'Merge rules into running proxies\' rule sets and push them, as kubectl apply does.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'proxy' -d 'Run meshctl\'s sidecar proxy, and read running proxies\' stats.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'experimental' -d 'Experimental commands (alias x), as istioctl\'s.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'demo' -d 'The Istio tutorial\'s services, to try the proxy with.'
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
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" list-analyzers' -l 'list-analyzers' -d 'List every code meshctl reports, with its level, and exit.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl analyze" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate"' -s 'f' -l 'filename' -d 'A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" host' -l 'host' -d 'The request\'s Host (authority), e.g. reviews or reviews:9080. The host selects the VirtualService; a port after \':\' is the listener port (for the route configuration, match.port and a destination without port) unless --port is given. For tcp and tls, the service the client connects to (when no --destination-ip is given).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" path' -l 'path' -d 'The request path, starting with \'/\', with an optional query string.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" method' -l 'method' -d 'The HTTP method.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" scheme' -l 'scheme' -d 'The request scheme.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate"' -s 'H' -d 'A request header, \'name: value\'. Repeatable.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" port' -l 'port' -d 'The port the request is for: it picks the route configuration (or TCP listener), match.port and the port of a destination without one. By default the port in --host; without either, the port the host is served on (80 when several or none).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" protocol' -l 'protocol' -d 'http, or tcp or tls for a connection that follows tcp or tls routes.' -rfka 'http tcp tls'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" sni' -l 'sni' -d 'The TLS server name the client sends (with --protocol tls).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" destination-ip' -l 'destination-ip' -d 'The address the client connects to (tcp, tls): a service\'s address or one destinationSubnets cover.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" n' -s 'n' -d 'Simulate this many requests and print the distribution.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" seed' -l 'seed' -d 'Seed for weighted choices and fault percentages (the same seed gives the same answers).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" o output' -s 'o' -l 'output' -d 'Output format: text or json.' -rfka 'text json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl simulate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'cluster' -d 'Clusters: one per service port and subset.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'listener' -d 'Listeners and where their traffic goes.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'route' -d 'Route configurations: virtual hosts and routes.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'endpoint' -d 'Endpoints of each cluster with health and outlier status, as Envoy\'s /clusters lists them.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'eds' -d 'Endpoints from the config dump\'s EDS section, with locality.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'bootstrap' -d 'The bootstrap configuration (-o short: Istio and Envoy versions).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'secret' -d 'Secrets (certificates) with their validity and serial numbers.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'ecds' -d 'Extension configurations delivered by ECDS.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'all' -d 'Everything: with -o json or yaml, the whole /config_dump document.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy-config" -eq 1' -fa 'log' -d 'Show running proxies\' logging levels, and change them with --level, as istioctl\'s proxy-config log.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" fqdn' -l 'fqdn' -d 'Filter clusters by substring of Service FQDN field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" direction' -l 'direction' -d 'Filter clusters by Direction field (a substring, as istioctl: inbound matches inbound|...).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" subset' -l 'subset' -d 'Filter clusters by substring of Subset field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" port' -l 'port' -d 'Filter clusters (and listeners, endpoints) by Port field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config cluster" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" address' -l 'address' -d 'Filter listeners by address field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" type' -l 'type' -d 'Filter listeners by type field (HTTP, TCP, HTTP+TCP, UNKNOWN).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" port' -l 'port' -d 'Filter listeners by Port field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" verbose' -l 'verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" no-verbose' -l 'no-verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config listener" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" name' -l 'name' -d 'Filter routes by route name field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" verbose' -l 'verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" no-verbose' -l 'no-verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config route" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" address' -l 'address' -d 'Filter endpoints by address field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" port' -l 'port' -d 'Filter endpoints by Port field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" cluster' -l 'cluster' -d 'Filter endpoints by cluster name field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" status' -l 'status' -d 'Filter endpoints by status field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config endpoint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" address' -l 'address' -d 'Filter endpoints by address field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" port' -l 'port' -d 'Filter endpoints by Port field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" cluster' -l 'cluster' -d 'Filter endpoints by cluster name field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" status' -l 'status' -d 'Filter endpoints by status field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config eds" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" o output' -s 'o' -l 'output' -d 'Output format: json (the default), yaml or short.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config bootstrap" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config secret" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config ecds" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all"' -s 'f' -l 'filename' -d 'Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" file' -l 'file' -d 'An Envoy config dump (JSON), or /clusters?format=json for endpoints.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all"' -l 'admin' -d 'A running proxy\'s admin address, HOST:PORT (repeatable).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" listen' -l 'listen' -d 'The listener address to render rules for (the proxy\'s default).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" source-labels' -l 'source-labels' -d 'Labels of the calling workload, k=v,... (for match.sourceLabels).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" source-namespace' -l 'source-namespace' -d 'Namespace of the calling workload (default: default; at a gateway, the Gateway\'s namespace): what it sees (exportTo, Sidecar) and its short host names.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" gateway' -l 'gateway' -d 'Act as this gateway (namespace/name or name) instead of a sidecar (mesh).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults, as istioctl\'s --compatibility-version does (e.g. 1.23: the default retry policy retries 503).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" o output' -s 'o' -l 'output' -d 'Output format: short (a table), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" fqdn' -l 'fqdn' -d 'Filter clusters by substring of Service FQDN field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" direction' -l 'direction' -d 'Filter clusters by Direction field (a substring, as istioctl: inbound matches inbound|...).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" subset' -l 'subset' -d 'Filter clusters by substring of Subset field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" port' -l 'port' -d 'Filter clusters (and listeners, endpoints) by Port field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" address' -l 'address' -d 'Filter listeners by address field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" type' -l 'type' -d 'Filter listeners by type field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" name' -l 'name' -d 'Filter routes by route name field.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" verbose' -l 'verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" no-verbose' -l 'no-verbose' -d 'Output more information (--no-verbose: istioctl\'s --verbose=false).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config all" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log"' -l 'admin' -d 'A proxy\'s admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log" level' -l 'level' -d 'LEVEL for every logger, or [LOGGER:]LEVEL,... (trace, debug, info, warning, error, critical, off).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log" o output' -s 'o' -l 'output' -d 'Output format: short (the loggers as the proxy lists them), json or yaml.' -rfka 'short json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-config log" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status"' -l 'admin' -d 'A proxy\'s admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status"' -s 'f' -l 'rules' -d 'Rule files or directories the proxies should run (repeatable).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status" v verbose' -s 'v' -l 'verbose' -d 'Show what differs from the rules: resources added, removed and changed.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status" o output' -s 'o' -l 'output' -d 'Output format: text, json or yaml.' -rfka 'text json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy-status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply"' -s 'f' -l 'filename' -d 'A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply"' -l 'admin' -d 'A proxy\'s admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" prune' -l 'prune' -d 'Replace the whole running rule set: resources not given are removed.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" dry-run' -l 'dry-run' -d 'Show what would change, and push nothing.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" o output' -s 'o' -l 'output' -d 'Output format: text, json or yaml.' -rfka 'text json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy" -eq 1' -fa 'run' -d 'Serve live traffic with the rules: routing, retries, timeouts, faults, mirrors, breakers, ejection.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl proxy" -eq 1' -fa 'stats' -d 'Show running proxies\' stats: Envoy\'s counters and gauges, as text, JSON or Prometheus.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run"' -s 'f' -l 'filename' -d 'A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" mesh-config' -l 'mesh-config' -d 'Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" listen' -l 'listen' -d 'The outbound listener, HOST:PORT (port 0: any free port).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" admin' -l 'admin' -d 'The admin API, HOST:PORT.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run"' -l 'outbound-port' -d 'Also listen on this service port (on --listen\'s host), as a sidecar\'s original destination port: HTTP is routed by its Host, TCP and TLS by the rules\' tcp and tls routes. Repeatable.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" expose-admin' -l 'expose-admin' -d 'Allow the admin API on an address other than loopback (it can change and stop the proxy).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" concurrency' -l 'concurrency' -d 'Worker event loops, as Envoy\'s --concurrency (default: the number of cores).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" watch' -l 'watch' -d 'Reload when a rule file changes (through the same checks as PUT /config).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" access-log' -l 'access-log' -d 'Write Istio\'s access log to - (standard output) or a file.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" zipkin' -l 'zipkin' -d 'Trace requests: send spans to this Zipkin v2 endpoint (Jaeger accepts it too), e.g. http://127.0.0.1:9411/api/v2/spans.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" trace-sampling' -l 'trace-sampling' -d 'The percentage of new traces sampled (Istio\'s default is 1).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" log-level' -l 'log-level' -d 'trace, debug, info, warning, error or critical.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" namespace' -l 'namespace' -d 'The proxy\'s namespace (for short hosts and sourceNamespace).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" labels' -l 'labels' -d 'The proxy\'s workload labels, for sourceLabels matches (k=v,...).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" workload' -l 'workload' -d 'The workload name in Istio\'s metric labels.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" compatibility-version' -l 'compatibility-version' -d 'Follow an older Istio\'s defaults (1.27 or earlier: mirrors go to HOST-shadow).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" drain-time' -l 'drain-time' -d 'How long requests in flight may take to finish on shutdown.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" ready-file' -l 'ready-file' -d 'Once listening, write the bound addresses here as JSON (useful with port 0).' -rF
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats"' -l 'admin' -d 'A proxy\'s admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats" filter' -l 'filter' -d 'Only stats whose name contains a match of this RE2 regex.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats" o output' -s 'o' -l 'output' -d 'Output format: text (Envoy\'s /stats), json, yaml or prom (Prometheus).' -rfka 'text json yaml prom'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl proxy stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl experimental" -eq 1' -fa 'metrics' -d 'Request rates, error rates and latency percentiles per destination, from proxies\' Istio metrics.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics"' -l 'admin' -d 'A proxy\'s admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" timeout' -l 'timeout' -d 'How long the whole command may wait for the proxies\' admin APIs (e.g. 10s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" d duration' -s 'd' -l 'duration' -d 'How long between the two scrapes (e.g. 5s, 500ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" reporter' -l 'reporter' -d 'Whose reports to count: source (the client side) or destination.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" o output' -s 'o' -l 'output' -d 'Output format: text, json or yaml.' -rfka 'text json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl experimental metrics" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl demo" -eq 1' -fa 'backend' -d 'A service that answers like the tutorial\'s: `recommendation v1 from \'HOST\': 3`.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" name' -l 'name' -d 'The service\'s name.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" version' -l 'version' -d 'The version it plays (v1, v2, ...).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" listen' -l 'listen' -d 'Where to listen, HOST:PORT.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" status' -l 'status' -d 'Answer every request with this status.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" fail-rate' -l 'fail-rate' -d 'Answer this share of requests (0 to 1) with 503.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" delay' -l 'delay' -d 'Wait this long before each answer (e.g. 200ms).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" ready-file' -l 'ready-file' -d 'Once listening, write the bound address here as JSON (useful with port 0).' -rF
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl demo backend" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" version' -l 'version' -d 'Show the version.'
