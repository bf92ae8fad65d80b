package dev.newsclassifier.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the packaged application. Commands are parsed before Quarkus starts, so a
 * command can prepare what the service needs (the {@code demo} command starts a broker and a
 * registry first) or run without the service at all.
 */
@QuarkusMain
@Command(name = "news-classifier", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Classifies news articles from Kafka into topics with a fine-tuned BERT model.",
        subcommands = {ServeCommand.class, DemoCommand.class, BenchmarkCommand.class, PublishCommand.class,
                ConsumeCommand.class, ReplayCommand.class, FeedbackCommand.class, EvaluateCommand.class, ClassifyCommand.class, ExplainCommand.class,
                FaultTestCommand.class, ScaleTestCommand.class,
                CommandLine.HelpCommand.class})
public class NewsClassifierMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String... args) {
        int exitCode = new CommandLine(new NewsClassifierMain()).execute(args);
        System.exit(exitCode);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
