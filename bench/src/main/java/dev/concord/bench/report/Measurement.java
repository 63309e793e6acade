package dev.concord.bench.report;

/**
 * One figure beside its baseline from the same run. Only the ratio travels between machines.
 *
 * @param higherIsBetter true for rates, false for latencies and durations
 */
public record Measurement(String name, String unit, double value, String baseline, double baselineValue,
                          boolean higherIsBetter, String note) {

    public double ratio() {
        return baselineValue == 0 ? Double.NaN : value / baselineValue;
    }
}
