package dev.newsclassifier.faults;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A valid ONNX model with the wrong signature: one float input {@code x} copied to one output
 * {@code y} by an Identity node. Written as protobuf bytes by hand, so the packaged application
 * can produce it without any model tooling.
 */
final class WrongModel {

    private static final int FLOAT = 1;

    private WrongModel() {
    }

    static byte[] identity() {
        byte[] node = message(strings(1, "x"), strings(2, "y"), strings(3, "copy"), strings(4, "Identity"));
        byte[] graph = message(field(1, node), strings(2, "wrong-signature"), field(11, valueInfo("x")),
                field(12, valueInfo("y")));
        byte[] opset = message(strings(1, ""), varint(2, 13));
        return message(varint(1, 8), strings(2, "news-classifier fault-test"), field(7, graph), field(8, opset));
    }

    /** ValueInfoProto: a float tensor of shape [1]. */
    private static byte[] valueInfo(String name) {
        byte[] dimension = message(varint(1, 1));
        byte[] shape = message(field(1, dimension));
        byte[] tensor = message(varint(1, FLOAT), field(2, shape));
        byte[] type = message(field(1, tensor));
        return message(strings(1, name), field(2, type));
    }

    private static byte[] message(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] field : fields) {
            out.writeBytes(field);
        }
        return out.toByteArray();
    }

    private static byte[] field(int number, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) number << 3 | 2);
        writeVarint(out, content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] strings(int number, String text) {
        return field(number, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] varint(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) number << 3);
        writeVarint(out, value);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
