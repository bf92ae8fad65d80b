/**
 * Single-node Kafka broker, Schema Registry and topic set for local runs ({@code demo}) and tests; not for production.
 * The registry is the built-in {@link dev.newsclassifier.local.LocalSchemaRegistry}, or Apicurio Registry run as a
 * child process ({@link dev.newsclassifier.local.ApicurioRegistry}) to show the service against a third-party one.
 */
package dev.newsclassifier.local;
