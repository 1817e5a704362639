// The table of live handles. A handle given to C is a small malloc'd token, never the address of a
// Swift object, so the library only ever dereferences addresses it finds in this table: NULL,
// garbage and freed handles are answered with an error code instead of a crash. Freed tokens rest
// in a quarantine ring before their memory goes back to malloc, so a freed handle keeps being
// reported as freed even while new objects are being created.
import Glibc
import Synchronization

enum HandleKind: Sendable {
    case client, job, report, error, sync
}

enum HandleLookup<Object> {
    case found(Object)
    case null
    case bad
}

private struct RegistryState: ~Copyable {
    var live: [UInt: (kind: HandleKind, object: AnyObject)] = [:]
    var quarantine: [UInt] = []
    var quarantineNext = 0
}

/// How many freed tokens stay unreachable for malloc (16 bytes each).
private let quarantineCapacity = 4096

private let registry = Mutex(RegistryState())

/// Registers `object` and returns the new handle, or nil when out of memory.
func registerHandle(_ kind: HandleKind, _ object: AnyObject) -> OpaquePointer? {
    guard let token = malloc(16) else { return nil }
    // Marks the token's memory so a debugger shows what it is; never read back.
    memset(token, 0x59, 16)
    let sendableObject = UncheckedBox(object)
    registry.withLock { state in
        state.live[UInt(bitPattern: token)] = (kind, sendableObject.value)
    }
    return OpaquePointer(token)
}

/// Finds the live object behind `handle`. The returned reference keeps the object alive even if
/// another thread frees the handle meanwhile.
func lookupHandle<Object: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, as type: Object.Type) -> HandleLookup<Object> {
    guard let handle else { return .null }
    let found: UncheckedBox<AnyObject>? = registry.withLock { state in
        guard let entry = state.live[UInt(bitPattern: handle)], entry.kind == kind else { return nil }
        return UncheckedBox(entry.object)
    }
    guard let object = found?.value as? Object else { return .bad }
    return .found(object)
}

/// Removes `handle` from the table and returns its object, or nil for NULL, garbage or a handle
/// already freed. Only one of several racing frees of the same handle gets the object.
func unregisterHandle<Object: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, as type: Object.Type) -> Object? {
    guard let handle else { return nil }
    let address = UInt(bitPattern: handle)
    let removed: UncheckedBox<AnyObject>? = registry.withLock { state in
        guard let entry = state.live[address], entry.kind == kind else { return nil }
        state.live[address] = nil
        if state.quarantine.count < quarantineCapacity {
            state.quarantine.append(address)
        } else {
            free(UnsafeMutableRawPointer(bitPattern: state.quarantine[state.quarantineNext]))
            state.quarantine[state.quarantineNext] = address
            state.quarantineNext = (state.quarantineNext + 1) % quarantineCapacity
        }
        return UncheckedBox(entry.object)
    }
    return removed?.value as? Object
}

/// Carries a value across the registry lock; the objects stored are all Sendable boxes.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
