package dev.newsclassifier.evaluation;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for the terminal: columns as wide as their widest cell (up to a cap, where longer
 * text is cut with an ellipsis), numbers right-aligned.
 */
public final class TextTable {

    private final String[] headers;
    private final boolean[] rightAligned;
    private final int[] maxWidths;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers ending in {@code >} are right-aligned (the marker is not printed). */
    public TextTable(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        this.maxWidths = new int[headers.length];
        Arrays.fill(maxWidths, Integer.MAX_VALUE);
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].endsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i];
        }
    }

    /** Caps a column's width; longer cells are clipped. */
    public TextTable maxWidth(int column, int width) {
        maxWidths[column] = width;
        return this;
    }

    public TextTable row(Object... cells) {
        String[] row = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            row[i] = i < cells.length && cells[i] != null ? cells[i].toString().replaceAll("\\s+", " ") : "";
        }
        rows.add(row);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out, String indent) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = Math.min(maxWidths[i], headers[i].length());
            for (String[] row : rows) {
                widths[i] = Math.min(maxWidths[i], Math.max(widths[i], row[i].length()));
            }
        }
        out.println(indent + line(headers, widths));
        for (String[] row : rows) {
            out.println(indent + line(row, widths));
        }
        out.flush();
    }

    /** One row formatted to fixed widths, for tables printed a row at a time as data arrives. */
    public static String fixed(String[] cells, int[] widths, boolean[] rightAligned) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String cell = clip(cells[i] == null ? "" : cells[i].replaceAll("\\s+", " "), widths[i]);
            boolean last = i == cells.length - 1;
            String padded = rightAligned[i] ? pad(cell, widths[i], true) : last ? cell : pad(cell, widths[i], false);
            line.append(padded);
            if (!last) {
                line.append("  ");
            }
        }
        return line.toString();
    }

    private String line(String[] cells, int[] widths) {
        return fixed(cells, widths, rightAligned);
    }

    public static String clip(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        return width <= 1 ? text.substring(0, width) : text.substring(0, width - 1) + "\u2026";
    }

    private static String pad(String text, int width, boolean left) {
        if (text.length() >= width) {
            return text;
        }
        String spaces = " ".repeat(width - text.length());
        return left ? spaces + text : text + spaces;
    }
}
