import MeshModel

extension Check {
    /// Istio's RequestAuthentication validation (one target; per rule an issuer, non-empty
    /// audiences and token locations, an http(s) jwksUri, a parsable jwks, valid output
    /// headers), and what meshctl cannot do with a rule: fetch keys over the network.
    func requestAuthentication(_ ra: RequestAuthentication) {
        policyTarget(selector: ra.selector, targetRef: ra.targetRef, targetRefs: ra.targetRefs, at: ra.node)
        workloadSelector(ra.selector)
        for rule in ra.jwtRules { jwtRule(rule) }
    }

    func jwtRule(_ rule: RequestAuthentication.JWTRule) {
        if rule.issuer?.value.isEmpty ?? true { error("issuer must be set", at: rule.issuer?.node ?? rule.node) }
        for audience in rule.audiences where audience.value.isEmpty {
            error("audience must be non-empty string", at: audience.node)
        }
        if let uri = rule.jwksUri {
            if uri.value.hasPrefix("file://") {
                if uri.value.count <= "file://".count || !uri.value.dropFirst(7).hasPrefix("/") {
                    error("jwksUri `\(uri.value)` must be file:///ABSOLUTE/PATH", at: uri.node)
                } else {
                    report(
                        .meshctlOnly,
                        "jwksUri with file:// is read by meshctl only; Istio fetches keys over http or https", at: uri.node)
                }
            } else if uri.value.hasPrefix("http://") || uri.value.hasPrefix("https://") {
                if rule.jwks == nil {
                    report(
                        .notEnforced,
                        "meshctl does not fetch keys from \(uri.value): tokens of this issuer are refused (401); give the keys with jwks, or jwksUri: file:///PATH",
                        at: uri.node)
                }
            } else {
                let scheme = uri.value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? uri.value
                error(
                    "URI scheme \"\(scheme)\" is not supported in jwksUri: use https:// (or file:// with meshctl)", at: uri.node)
            }
        }
        if let jwks = rule.jwks {
            if let problem = RequestAuthentication.jwksProblem(jwks.value) {
                error("jwks parse error: \(problem)", at: jwks.node)
            } else {
                for note in RequestAuthentication.jwksKeyNotes(jwks.value) { report(.notEnforced, note, at: jwks.node) }
            }
            if let uri = rule.jwksUri {
                report(.ignoredSetting, "jwksUri is ignored: jwks is given, and Istio uses it", at: uri.node)
            }
        }
        if rule.jwks == nil && rule.jwksUri == nil, let issuer = rule.issuer, !issuer.value.isEmpty {
            report(
                .notEnforced,
                "no jwks or jwksUri: Istio would discover the keys from \(issuer.value)'s OpenID configuration, which meshctl does not fetch, so its tokens are refused (401)",
                at: issuer.node)
        }
        for location in rule.fromHeaders where location.name?.value.isEmpty ?? true {
            error("location header name must be non-empty string", at: location.name?.node ?? location.node)
        }
        for param in rule.fromParams where param.value.isEmpty {
            error("location query must be non-empty string", at: param.node)
        }
        for cookie in rule.fromCookies where cookie.value.isEmpty {
            error("cookie name must be non-empty string", at: cookie.node)
        }
        for output in rule.outputClaimToHeaders {
            guard let header = output.header, !header.value.isEmpty, let claim = output.claim, !claim.value.isEmpty else {
                error("outputClaimToHeaders header and claim value must be non-empty string", at: output.node)
                continue
            }
            if !Self.isHeaderToken(header.value) {
                error("header name \(header.value) is not a valid header name", at: header.node)
            }
        }
        if let header = rule.outputPayloadToHeader, !Self.isHeaderToken(header.value) {
            error("header name \(header.value) is not a valid header name", at: header.node)
        }
        if let timeout = rule.timeout, timeout.nanoseconds < 1_000_000 {
            error("timeout must be at least 1ms, got \(timeout.text)", at: timeout.node)
        }
    }

    /// Istio's header-name rule: letters, digits, `-` and `_`.
    static func isHeaderToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy {
                isAlnumByte($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }
    }

    static func isAlnumByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
    }
}
