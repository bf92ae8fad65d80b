package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every tool explains itself with examples, and the Kafka tools share the connection options. */
class CommandHelpTest {

    private record Result(int exit, String out) {
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        CommandLine line = new CommandLine(new NewsClassifierMain());
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(out));
        // Option descriptions wrap; compare with whitespace runs collapsed to one space.
        return new Result(line.execute(args), out.toString().replaceAll("[ \\t]*\\R[ \\t]*", " "));
    }

    @ParameterizedTest(name = "{0} --help")
    @CsvSource({
            "publish, --stdin, ./news-classifier publish --file articles.jsonl",
            "consume, --from-beginning, ./news-classifier consume --from-beginning --max 100 --json",
            "replay, --skip-malformed, ./news-classifier replay --file ag_news_test.csv --rate 50",
            "evaluate, --compare, ./news-classifier evaluate --run-id nightly-1 --compare news.labeled news.labeled.candidate",
    })
    void shouldShowUsageWithExamplesAndTheSharedKafkaOptions(String command, String option, String example) {
        Result result = execute(command, "--help");

        assertThat(result.exit()).isZero();
        assertThat(result.out())
                .contains("Usage: news-classifier " + command)
                .contains("Examples:")
                .contains(example)
                .contains(option)
                .contains("--bootstrap-servers=HOST:PORT[,...]")
                .contains("--registry-url=URL[,...]")
                .contains("default: env KAFKA_BOOTSTRAP_SERVERS, else");
    }

    @Test
    void shouldShowClassifyUsageWithExamples() {
        Result result = execute("classify", "--help");

        assertThat(result.exit()).isZero();
        assertThat(result.out())
                .contains("Usage: news-classifier classify")
                .contains("Examples:")
                .contains("./news-classifier classify --input articles.jsonl --output predictions.csv")
                .contains("--model-dir=DIR", "--batch-size=N", "--output=FILE")
                .doesNotContain("--bootstrap-servers");
    }

    @Test
    void shouldShowDemoKeepRunningInUsage() {
        Result result = execute("demo", "--help");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("--keep-running").contains("./news-classifier demo --keep-running");
    }

    @Test
    void shouldListEveryToolInTheRootUsage() {
        Result result = execute("--help");

        assertThat(result.out()).contains("publish", "consume", "replay", "evaluate", "classify", "demo", "serve");
    }

    @Test
    void shouldDefaultTheConnectionToLocalhostWhenNoEnvironmentSaysOtherwise() {
        PublishCommand publish = new PublishCommand();
        new CommandLine(publish).parseArgs("--title", "x");

        assertThat(publish.kafka.bootstrapServers).isEqualTo(
                System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"));
        assertThat(publish.kafka.registryUrl).isEqualTo(
                System.getenv().getOrDefault("NEWS_REGISTRY_URL", "http://localhost:8081"));
        assertThat(publish.topic).isEqualTo(System.getenv().getOrDefault("NEWS_TOPICS_RAW", "news.raw"));
    }

    @Test
    void shouldRefuseToPublishAnArticleWithoutText() {
        Result result = execute("publish", "--id", "x");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.out()).contains("Give --title and/or --description");
    }
}
