import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import reproduce  # noqa: E402

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
        self.assertEqual(int(service["intra-op-threads"]), reproduce.SERVED["intra_op_threads"])
        self.assertEqual(int(service["chunk-size"]), reproduce.SERVED["chunk_size"])
        # 0: one concurrent chunk per intra-op-threads of the cores; the bench's machine has 2 cores,
        # the 2 threads.
        self.assertEqual(int(service["concurrent-chunks"]), 0)
        self.assertEqual(reproduce.SERVED["concurrent_chunks"] * reproduce.SERVED["intra_op_threads"], 2)

    def test_lets_the_benchs_threads_spin_as_the_services_do(self):
        self.assertEqual(service_inference_settings()["allow-spinning"], str(reproduce.ALLOW_SPINNING).lower())

    def test_passes_the_chunking_to_the_bench_with_the_padded_benchs_passes(self):
        options = reproduce.served_bench_options()
        flags = dict(zip(options[::2], options[1::2]))
        self.assertEqual(flags, {"--batch": "32", "--chunk": str(reproduce.SERVED["chunk_size"]),
                                 "--concurrent": str(reproduce.SERVED["concurrent_chunks"]),
                                 "--timed-texts": str(reproduce.TIMED_TEXTS),
                                 "--timed-passes": str(reproduce.TIMED_PASSES)})

    def test_card_says_not_available_for_a_ladder_benched_before_the_served_measure(self):
        self.assertEqual(reproduce.served_speed({"articles_per_second": 227.4}), "n/a")
        self.assertEqual(reproduce.served_speed({"served": {"articles_per_second": 594.97}}), "595")


if __name__ == "__main__":
    unittest.main()
