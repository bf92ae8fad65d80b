/**
 * Wires the pieces into the Quarkus service: typed configuration, the model and topology
 * producers, health checks, metrics and the stream-thread failure policy.
 */
package dev.newsclassifier.service;
