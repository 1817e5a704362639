// One order of POST /orders, validated. The reference (ns1_order, "Order transfer using the Add
// orders API method") names the required fields; what it does not say (name length, date
// format, what an item needs beyond an id and a name) is an emulator choice, listed in
// docs/emulator.md. Fields it does not know are accepted and kept as sent.
public enum OrderStatus: String, Sendable, CaseIterable {
    case INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED, ABANDONED_SHOPPING_CART

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

public struct OrderInput: Sendable {
    public var externalOrderId: String
    public var externalCustomerId: String
    public var totalCost: Double
    public var status: OrderStatus
    public var date: String
    /// `date` read as seconds since 1970 (UTC): what DELETE's from/to window compares.
    public var dateSeconds: Double
    public var currency: String
    public var email: String?
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    /// The order as sent, for the admin view.
    public var sent: JSONValue
}

public enum OrderValidation {
    static let optionalNumbers = ["taxes", "shipping", "discount"]
    static let optionalStrings = ["deliveryAddress", "firstName", "lastName"]

    /// Validates one order; the reason on failure, naming the field.
    public static func parse(_ v: JSONValue) -> Result<OrderInput, ValidationFailure> {
        guard v.isObject else { return .failure(.init("order must be a JSON object, got \(v.kindName)")) }
        func present(_ key: String) -> JSONValue? {
            guard let x = v[key], x != .null else { return nil }
            return x
        }
        func id(_ key: String) -> Result<String, ValidationFailure> {
            switch present(key) {
            case .string(let s)? where !s.isEmpty: return .success(s)
            case .int(let n)?: return .success(String(n))
            case nil: return .failure(.init("\(key) is required"))
            default: return .failure(.init("\(key) must be a non-empty string"))
            }
        }
        func number(_ x: JSONValue) -> Double? {
            switch x {
            case .int(let n): return Double(n)
            case .double(let d) where d.isFinite: return d
            default: return nil
            }
        }
        do throws(ValidationFailure) {
            let orderId = try id("externalOrderId").get()
            let customerId = try id("externalCustomerId").get()
            guard let costValue = present("totalCost") else { return .failure(.init("totalCost is required")) }
            guard let totalCost = number(costValue) else { return .failure(.init("totalCost must be a number")) }
            guard let statusValue = present("status") else { return .failure(.init("status is required")) }
            guard let status = statusValue.stringValue.flatMap(OrderStatus.init(rawValue:)) else {
                return .failure(.init("status must be one of \(OrderStatus.names)"))
            }
            guard let dateValue = present("date") else { return .failure(.init("date is required")) }
            guard let date = dateValue.stringValue, let seconds = ISODateTime.parse(date) else {
                return .failure(.init("date must be an ISO-8601 date-time string, like 2025-06-01T12:00:00"))
            }
            guard let currencyValue = present("currency") else { return .failure(.init("currency is required")) }
            guard let currency = currencyValue.stringValue, !currency.isEmpty else {
                return .failure(.init("currency must be a non-empty string"))
            }
            for key in optionalNumbers {
                if let x = present(key), number(x) == nil { return .failure(.init("\(key) must be a number")) }
            }
            for key in optionalStrings {
                if let x = present(key), x.stringValue == nil { return .failure(.init("\(key) must be a string")) }
            }
            let firstName = present("firstName")?.stringValue
            let lastName = present("lastName")?.stringValue
            for (key, name) in [("firstName", firstName), ("lastName", lastName)] {
                if let name, name.unicodeScalars.count > ContactValidation.maxNameLength {
                    return .failure(.init("\(key) is longer than \(ContactValidation.maxNameLength) characters"))
                }
            }
            let email = try channel("email", present("email"), ContactValidation.normaliseEmail).get()
            let phone = try channel("phone", present("phone"), ContactValidation.normalisePhone).get()
            if email == nil && phone == nil { return .failure(.init("an email or a phone is required")) }
            if let items = present("items") {
                guard let list = items.arrayValue else { return .failure(.init("items must be an array")) }
                for (n, item) in list.enumerated() {
                    if let why = itemProblem(item) { return .failure(.init("items[\(n)]: \(why)")) }
                }
            }
            return .success(OrderInput(externalOrderId: orderId, externalCustomerId: customerId, totalCost: totalCost,
                                       status: status, date: date, dateSeconds: seconds, currency: currency,
                                       email: email, phone: phone,
                                       firstName: firstName.flatMap { $0.isEmpty ? nil : $0 },
                                       lastName: lastName.flatMap { $0.isEmpty ? nil : $0 }, sent: v))
        } catch {
            return .failure(error)
        }
    }

    /// An email or phone: absent or empty is nil; present must be valid.
    private static func channel(_ key: String, _ v: JSONValue?,
                                _ normalise: (String) -> String?) -> Result<String?, ValidationFailure> {
        guard let v else { return .success(nil) }
        guard let s = v.stringValue else { return .failure(.init("\(key) must be a string")) }
        if s.trimmingWhitespace().isEmpty { return .success(nil) }
        guard let n = normalise(s) else { return .failure(.init("invalid \(key) '\(s)'")) }
        return .success(n)
    }

    /// An item needs an id and a name; the rest must have the right type when present.
    private static func itemProblem(_ item: JSONValue) -> String? {
        guard item.isObject else { return "an item must be a JSON object, got \(item.kindName)" }
        switch item["externalItemId"] {
        case .string(let s)? where !s.isEmpty: break
        case .int?: break
        case nil, .null?: return "externalItemId is required"
        default: return "externalItemId must be a non-empty string"
        }
        switch item["name"] {
        case .string(let s)? where !s.isEmpty: break
        case nil, .null?: return "name is required"
        default: return "name must be a non-empty string"
        }
        for key in ["quantity", "cost"] {
            guard let x = item[key], x != .null else { continue }
            switch x {
            case .int: continue
            case .double(let d) where d.isFinite: continue
            default: return "\(key) must be a number"
            }
        }
        for key in ["category", "url", "imageUrl", "description"] {
            if let x = item[key], x != .null, x.stringValue == nil { return "\(key) must be a string" }
        }
        return nil
    }
}
