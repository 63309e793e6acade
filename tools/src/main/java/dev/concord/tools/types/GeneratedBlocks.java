package dev.concord.tools.types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generated parts of a hand-written file: the lines between
 * <pre>
 *   # &gt;&gt;&gt; concord types sync: &lt;block&gt; ...
 *   # &lt;&lt;&lt; concord types sync
 * </pre>
 * are replaced by what the named block's template writes, indented like the opening marker. Everything
 * outside the markers (comments, shared topics, hand-tuned settings) is the file's own and left alone.
 */
final class GeneratedBlocks {

    static final String END = "# <<< concord types sync";
    private static final Pattern BEGIN = Pattern.compile("^(\\s*)# >>> concord types sync: ([\\w-]+)\\b.*$");

    private GeneratedBlocks() {
    }

    /** The block's template: by its exact name, or by a name ending in {@code *} that it starts with (a parameter follows). */
    private static Function<String, List<String>> templateFor(String block, Map<String, Function<String, List<String>>> templates) {
        Function<String, List<String>> exact = templates.get(block);
        if (exact != null) {
            return exact;
        }
        return templates.entrySet().stream()
                .filter(t -> t.getKey().endsWith("*") && block.startsWith(t.getKey().substring(0, t.getKey().length() - 1)))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * @param templates block name to its lines (without indentation)
     * @throws IllegalStateException naming the file and line when a marker is unknown or not closed
     */
    static String fill(String fileName, String text, Map<String, Function<String, List<String>>> templates) {
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            out.add(lines[i]);
            Matcher begin = BEGIN.matcher(lines[i]);
            if (!begin.matches()) {
                continue;
            }
            String indent = begin.group(1);
            String block = begin.group(2);
            Function<String, List<String>> template = templateFor(block, templates);
            if (template == null) {
                throw new IllegalStateException(fileName + " line " + (i + 1) + ": no generated block named '" + block
                        + "' (known here: " + templates.keySet() + ")");
            }
            int end = i + 1;
            while (end < lines.length && !lines[end].trim().equals(END)) {
                if (BEGIN.matcher(lines[end]).matches()) {
                    throw new IllegalStateException(fileName + " line " + (i + 1) + ": block '" + block + "' not closed before the next one");
                }
                end++;
            }
            if (end == lines.length) {
                throw new IllegalStateException(fileName + " line " + (i + 1) + ": block '" + block + "' has no closing '" + END + "'");
            }
            for (String generated : template.apply(block)) {
                out.add(generated.isEmpty() ? "" : indent + generated);
            }
            out.add(lines[end]);
            i = end;
        }
        return String.join("\n", out);
    }
}
