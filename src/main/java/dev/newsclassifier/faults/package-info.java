/**
 * Fault and scale runs of the packaged service: a local broker and registry in this JVM, the
 * service as separate OS processes ({@code java -jar quarkus-run.jar serve}), faults injected
 * from outside ({@code kill -9}, broker restart, registry outage, broken models, slow inference,
 * bad records, articles the model fails on) and a {@code read_committed} check that every
 * article came out exactly once.
 * The {@code fault-test} and {@code scale-test} commands drive it.
 */
package dev.newsclassifier.faults;
