/**
 * Single-node Kafka broker, Schema Registry and topic set for local runs ({@code demo}) and tests; not for production.
 */
package dev.newsclassifier.local;
