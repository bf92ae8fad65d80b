package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.DatasetFormatException;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.evaluation.TextTable;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Publishes articles to the raw topic: one from flags, JSON from standard input, or a whole file. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Publish news articles (Avro, Confluent wire format) to the raw topic and print where each landed.",
                "One article from flags, JSON objects on standard input (one object or JSON Lines), or a file.",
                "",
                "Examples:",
                "  ./news-classifier publish --title \"Stocks rally as rates fall\" --description \"Markets rose...\"",
                "  echo '{\"id\":\"a-1\",\"title\":\"Cup final tonight\",\"description\":\"...\"}' | ./news-classifier publish --stdin",
                "  ./news-classifier publish --file articles.jsonl --bootstrap-servers broker:9092",
                ""})
final class PublishCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:NEWS_TOPICS_RAW:-news.raw}",
            description = "Raw topic (default: env NEWS_TOPICS_RAW, else ${DEFAULT-VALUE})")
    String topic;

    @ArgGroup(exclusive = true)
    Input input = new Input();

    static final class Input {
        @Option(names = "--stdin", description = "Read JSON articles from standard input: one object, or one per line")
        boolean stdin;

        @Option(names = "--file", paramLabel = "FILE",
                description = "Publish every article of an AG News CSV (either layout) or JSON Lines file")
        Path file;
    }

    @Option(names = "--id", description = "Article id and record key (default: a random UUID)")
    String id;

    @Option(names = "--title", description = "Headline")
    String title;

    @Option(names = "--description", description = "Lead paragraph")
    String description;

    @Option(names = "--source", description = "Publisher, e.g. Reuters")
    String source;

    @Option(names = "--url", description = "Canonical URL")
    String url;

    @Option(names = "--language", description = "BCP 47 language tag, e.g. en")
    String language;

    @Option(names = "--author", description = "Byline")
    String author;

    @Option(names = "--published-at", paramLabel = "ISO-8601",
            description = "Publication time, e.g. 2026-11-24T05:00:00Z")
    Instant publishedAt;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PublishCommand.class);

    @Override
    public Integer call() throws Exception {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<NewsArticle> articles;
        try {
            articles = articles();
        } catch (IllegalArgumentException | DatasetFormatException | UncheckedIOException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (articles.isEmpty()) {
            err.println("Nothing to publish.");
            return 2;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(articles.size());
        try {
            SchemaRegistryClient registry = kafka.registry();
            try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(kafka.producerProps(articles.size() > 1),
                    new StringSerializer(), new ConfluentAvroSerializer<>(registry))) {
                for (NewsArticle article : articles) {
                    sent.add(producer.send(new ProducerRecord<>(topic, article.getId(), article)));
                }
                producer.flush();
            }
        } catch (RuntimeException e) {
            err.printf("publish failed after %d article(s): %s%n", sent.size(), e.getMessage());
            LOG.debug("publish failed", e);
            return 1;
        }
        TextTable table = new TextTable("ID", "TOPIC", "PARTITION>", "OFFSET>").maxWidth(0, 40);
        int failed = 0;
        for (int i = 0; i < articles.size(); i++) {
            try {
                RecordMetadata metadata = sent.get(i).get();
                table.row(articles.get(i).getId(), metadata.topic(), metadata.partition(), metadata.offset());
            } catch (ExecutionException e) {
                failed++;
                table.row(articles.get(i).getId(), topic, "-", "-");
                err.printf("%s: not published: %s%n", articles.get(i).getId(), e.getCause().getMessage());
            }
        }
        err.flush();
        table.print(out, "");
        out.printf("Published %d of %d article(s) to %s.%n", articles.size() - failed, articles.size(), topic);
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private List<NewsArticle> articles() throws IOException {
        if (input.file != null) {
            if (!Files.isReadable(input.file)) {
                throw new IllegalArgumentException("Cannot read " + input.file);
            }
            List<NewsArticle> articles = new ArrayList<>();
            for (LabeledArticle a : new DatasetReader(ToolSupport.labels(ToolSupport.defaultModelDir()), false)
                    .readAll(input.file)) {
                articles.add(NewsArticle.newBuilder().setId(a.id()).setTitle(a.title()).setDescription(a.description())
                        .setSource(a.source()).setLanguage(language).build());
            }
            return articles;
        }
        if (input.stdin) {
            return fromJson(System.in);
        }
        if (title == null && description == null) {
            throw new IllegalArgumentException("Give --title and/or --description, or --stdin, or --file (see --help).");
        }
        return List.of(NewsArticle.newBuilder()
                .setId(id != null ? id : UUID.randomUUID().toString())
                .setTitle(title == null ? "" : title)
                .setDescription(description == null ? "" : description)
                .setSource(source).setUrl(url).setLanguage(language).setAuthor(author).setPublishedAt(publishedAt)
                .build());
    }

    /** One JSON object, or several (JSON Lines, or simply one after another). */
    static List<NewsArticle> fromJson(InputStream in) throws IOException {
        List<NewsArticle> articles = new ArrayList<>();
        try (MappingIterator<JsonNode> nodes = JSON.readerFor(JsonNode.class).readValues(in)) {
            int number = 0;
            while (nodes.hasNextValue()) {
                JsonNode node = nodes.nextValue();
                number++;
                articles.add(fromJson(node, number));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Standard input is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
        return articles;
    }

    static NewsArticle fromJson(JsonNode node, int number) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("JSON value " + number + " is not an object");
        }
        String title = text(node, "title");
        String description = text(node, "description");
        if ((title == null || title.isBlank()) && (description == null || description.isBlank())) {
            throw new IllegalArgumentException("JSON object " + number + " has neither title nor description");
        }
        Map<String, String> attributes = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.path("attributes").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            attributes.put(field.getKey(), field.getValue().asText());
        }
        return NewsArticle.newBuilder()
                .setId(text(node, "id") != null ? text(node, "id") : UUID.randomUUID().toString())
                .setTitle(title == null ? "" : title)
                .setDescription(description == null ? "" : description)
                .setSource(text(node, "source")).setUrl(text(node, "url")).setLanguage(text(node, "language"))
                .setAuthor(text(node, "author")).setPublishedAt(instant(node.get("published_at"), number))
                .setAttributes(attributes)
                .build();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode value, int number) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("JSON object " + number + ": published_at '" + value.asText()
                    + "' is neither epoch milliseconds nor ISO-8601 like 2026-11-24T05:00:00Z");
        }
    }
}
