package dev.newsclassifier.inference;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Makes intermediate tensors of an ONNX model into outputs, so that a session can return them, without an ONNX
 * library: a serialized protobuf message followed by another instance of one of its message fields is read as the
 * two merged, and repeated fields merge by appending. So {@code model + ModelProto{graph: GraphProto{output: ...}}}
 * is the model with those outputs added, whatever else it holds.
 */
final class ExtraOutputs {

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_OUTPUT = 12;
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_ELEM_TYPE = 1;
    private static final int FLOAT = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int VARINT = 0;

    private ExtraOutputs() {
    }

    /** {@code model} (a serialized ModelProto) with the float tensors {@code names} added to its graph's outputs. */
    static byte[] withFloatOutputs(byte[] model, List<String> names) {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        for (String name : names) {
            ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
            tag(tensorType, TENSOR_ELEM_TYPE, VARINT);
            varint(tensorType, FLOAT);
            ByteArrayOutputStream type = new ByteArrayOutputStream();
            field(type, TYPE_TENSOR, tensorType.toByteArray());
            ByteArrayOutputStream valueInfo = new ByteArrayOutputStream();
            field(valueInfo, VALUE_INFO_NAME, name.getBytes(StandardCharsets.UTF_8));
            field(valueInfo, VALUE_INFO_TYPE, type.toByteArray());
            field(graph, GRAPH_OUTPUT, valueInfo.toByteArray());
        }
        ByteArrayOutputStream extended = new ByteArrayOutputStream(model.length + graph.size() + 8);
        extended.writeBytes(model);
        field(extended, MODEL_GRAPH, graph.toByteArray());
        return extended.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, int number, byte[] message) {
        tag(out, number, LENGTH_DELIMITED);
        varint(out, message.length);
        out.writeBytes(message);
    }

    private static void tag(ByteArrayOutputStream out, int number, int wireType) {
        varint(out, (number << 3) | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
