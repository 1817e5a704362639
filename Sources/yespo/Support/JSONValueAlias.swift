// The CLI reads and writes JSON with the core's JSONValue (one parser, one escaper for the whole
// project); `JSON` is its short name here.
import YespoCore

typealias JSON = JSONValue
