/**
 * Test fixtures that run the service's Kafka surroundings (broker, Schema Registry, topics) inside the test JVM, or
 * with Apicurio Registry beside it as a child process, and say whether that can run here.
 */
package dev.newsclassifier.testing;
