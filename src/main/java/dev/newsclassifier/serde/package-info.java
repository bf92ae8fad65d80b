/**
 * Kafka serializers and deserializers for Avro specific records in the Confluent wire format (magic byte 0, 4-byte
 * schema id, Avro binary), with schemas held in a Confluent-API Schema Registry.
 */
package dev.newsclassifier.serde;
