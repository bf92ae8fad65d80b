import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchmarks  # noqa: E402
import card  # noqa: E402

PROPERTIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "main", "resources",
                          "application.properties")


def service_inference_settings():
    """news.inference.* of the service's default profile (lines without a %profile prefix)."""
    settings = {}
    with open(PROPERTIES) as f:
        for line in f:
            match = re.match(r"news\.inference\.([a-z-]+)=(\S+)", line.strip())
            if match:
                settings[match.group(1)] = match.group(2)
    return settings


class ServedBenchTest(unittest.TestCase):
    def test_times_the_model_with_the_services_default_inference_settings(self):
        service = service_inference_settings()
        self.assertEqual(int(service["intra-op-threads"]), benchmarks.SERVED["intra_op_threads"])
        self.assertEqual(int(service["chunk-size"]), benchmarks.SERVED["chunk_size"])
        # 0: one concurrent chunk per intra-op-threads of the cores; the bench's machine has 2 cores,
        # the 2 threads.
        self.assertEqual(int(service["concurrent-chunks"]), 0)
        self.assertEqual(benchmarks.SERVED["concurrent_chunks"] * benchmarks.SERVED["intra_op_threads"], 2)

    def test_lets_the_benchs_threads_spin_as_the_services_do(self):
        self.assertEqual(service_inference_settings()["allow-spinning"], str(benchmarks.ALLOW_SPINNING).lower())

    def test_passes_the_chunking_to_the_bench_with_the_padded_benchs_passes(self):
        options = benchmarks.served_bench_options()
        flags = dict(zip(options[::2], options[1::2]))
        self.assertEqual(flags, {"--batch": "32", "--chunk": str(benchmarks.SERVED["chunk_size"]),
                                 "--concurrent": str(benchmarks.SERVED["concurrent_chunks"]),
                                 "--timed-texts": str(benchmarks.TIMED_TEXTS),
                                 "--timed-passes": str(benchmarks.TIMED_PASSES)})

    def test_card_says_not_available_for_a_ladder_benched_before_the_served_measure(self):
        self.assertEqual(card.served_speed({"articles_per_second": 227.4}), "n/a")
        self.assertEqual(card.served_speed({"served": {"articles_per_second": 594.97}}), "595")


if __name__ == "__main__":
    unittest.main()
