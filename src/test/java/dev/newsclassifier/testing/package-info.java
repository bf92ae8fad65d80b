/**
 * Test fixtures that run the service's Kafka surroundings (broker, Schema Registry, topics) inside the test JVM.
 */
package dev.newsclassifier.testing;
