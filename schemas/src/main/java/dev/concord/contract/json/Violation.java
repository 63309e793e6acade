package dev.concord.contract.json;

/**
 * One reason a JSON document does not fit an Avro schema.
 *
 * @param pointer  where, as a JSON Pointer (RFC 6901), e.g. {@code /lines/0/quantity}; empty for the document itself
 * @param expected what the schema expects there, e.g. {@code int}, {@code one of PENDING, PAID}
 * @param actual   what was found, e.g. {@code string "three"}, {@code nothing}
 */
public record Violation(String pointer, String expected, String actual) {

    /** The same location as a field path for humans: {@code lines[0].quantity}. */
    public String field() {
        if (pointer.isEmpty()) {
            return "(body)";
        }
        StringBuilder path = new StringBuilder();
        for (String step : pointer.substring(1).split("/", -1)) {
            String name = step.replace("~1", "/").replace("~0", "~");
            if (name.matches("\\d+")) {
                path.append('[').append(name).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(name);
            }
        }
        return path.toString();
    }

    @Override
    public String toString() {
        return field() + ": expected " + expected + ", got " + actual;
    }
}
