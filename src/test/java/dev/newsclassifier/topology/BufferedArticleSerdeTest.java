package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.BufferedHeader;
import dev.newsclassifier.avro.BufferedSource;
import dev.newsclassifier.avro.NewsArticle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The buffer's changelog format across versions: each must restore what the other wrote. */
class BufferedArticleSerdeTest {

    private static final String CHANGELOG = "news-classifier-classification-batch-changelog";

    private final Serde<BufferedArticle> serde = BufferedArticleSerde.create();

    private static BufferedArticle withSource() {
        return BufferedArticle.newBuilder().setKey("n1")
                .setArticle(NewsArticle.newBuilder().setId("n1").setTitle("World summit").setDescription("").build())
                .setText("World summit").setTimestamp(95).setBufferedAt(100)
                .setHeaders(List.of(new BufferedHeader("trace", ByteBuffer.wrap(new byte[] {7}))))
                .setSource(BufferedSource.newBuilder().setTopic("news.raw").setPartition(2).setOffset(41)
                        .setKey(ByteBuffer.wrap(new byte[] {1, 2})).setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 9}))
                        .setValueSize(5).build())
                .build();
    }

    @Test
    void shouldReadARecordOfTheEarlierSchemaWithTheNewFieldsAtTheirDefaults() {
        BufferedArticle article = serde.deserializer().deserialize(CHANGELOG, EarlierBufferedArticle.encode("e1", "Sports", 200));

        assertThat(article.getKey()).isEqualTo("e1");
        assertThat(article.getText()).isEqualTo("Sports");
        assertThat(article.getTimestamp()).isEqualTo(195);
        assertThat(article.getBufferedAt()).isEqualTo(200);
        assertThat(article.getHeaders()).extracting(BufferedHeader::getKey).containsExactly("trace");
        assertThat(article.getSource()).isNull();
    }

    @Test
    void shouldRoundTripTheInputRecordsSource() {
        BufferedArticle article = withSource();

        assertThat(serde.deserializer().deserialize(CHANGELOG, serde.serializer().serialize(CHANGELOG, article)))
                .isEqualTo(article);
    }

    @Test
    void shouldLeaveTheSourceForAnEarlierVersionToSkip() throws IOException {
        GenericRecord asRolledBack = EarlierBufferedArticle.decode(serde.serializer().serialize(CHANGELOG, withSource()));

        assertThat(asRolledBack.get("key")).hasToString("n1");
        assertThat(asRolledBack.get("text")).hasToString("World summit");
        assertThat(asRolledBack.get("buffered_at")).isEqualTo(100L);
    }

    @Test
    void shouldRefuseBytesThatAreNoVersionOfTheRecord() {
        byte[] whole = serde.serializer().serialize(CHANGELOG, withSource());
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);

        assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, cut))
                .isInstanceOf(SerializationException.class)
                .hasMessage("Cannot decode a buffered article from " + CHANGELOG + " with the current schema or an earlier one");
    }
}
