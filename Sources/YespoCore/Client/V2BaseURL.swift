// The base of Yespo's v2 methods (POST /api/v2/event), derived from the client's v1 base URL in
// this one place: a base ending in "/v1" (".../api/v1") ends in "/v2" instead; any other base
// (a bare host, a proxy prefix) gets "/api/v2" appended, as the v1 base would have had "/api/v1".
// A client option to set the v2 base explicitly replaces the body of this function.

func v2BaseURL(_ settings: ClientSettings) -> String {
    var base = settings.baseURL
    while base.hasSuffix("/") { base.removeLast() }
    if base.hasSuffix("/v1") { return String(base.dropLast(3)) + "/v2" }
    return base + "/api/v2"
}
