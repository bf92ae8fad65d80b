/**
 * Client for the Confluent Schema Registry REST API (also served by Apicurio ccompat, Redpanda and Karapace), with
 * caching and errors that tell a retriable outage from a missing or rejected schema.
 */
package dev.newsclassifier.registry;
