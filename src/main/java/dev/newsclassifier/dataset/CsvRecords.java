package dev.newsclassifier.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 records from a reader: quoted fields, doubled quotes, line breaks inside quotes. */
final class CsvRecords {

    /** One record, or the reason it is malformed; {@code line} is where it starts. */
    record Row(List<String> fields, long line, String error) {
    }

    private final BufferedReader reader;
    private long lineNumber;

    CsvRecords(BufferedReader reader) {
        this.reader = reader;
    }

    Row next() throws IOException {
        String line = reader.readLine();
        while (line != null && line.isEmpty()) {
            lineNumber++;
            line = reader.readLine();
        }
        if (line == null) {
            return null;
        }
        long start = ++lineNumber;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean afterQuote = false;
        int i = 0;
        while (true) {
            if (i == line.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return new Row(fields, start, null);
                }
                String more = reader.readLine();
                if (more == null) {
                    return new Row(fields, start, "unterminated quoted field");
                }
                lineNumber++;
                field.append('\n');
                line = more;
                i = 0;
                continue;
            }
            char c = line.charAt(i++);
            if (quoted) {
                if (c == '"') {
                    if (i < line.length() && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                        afterQuote = true;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterQuote = false;
            } else if (c == '"' && field.isEmpty() && !afterQuote) {
                quoted = true;
            } else if (afterQuote) {
                return skipRest(start, "unexpected character after a closing quote");
            } else {
                field.append(c);
            }
        }
    }

    private Row skipRest(long start, String error) {
        return new Row(List.of(), start, error);
    }
}
