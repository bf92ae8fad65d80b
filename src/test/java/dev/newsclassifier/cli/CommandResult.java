package dev.newsclassifier.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A {@code news-classifier} command run in this JVM: its exit code and what it printed on each stream. */
record CommandResult(int exit, String out, String err) {

    static CommandResult execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new NewsClassifierMain());
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        return new CommandResult(line.execute(args), out.toString(), err.toString());
    }
}
