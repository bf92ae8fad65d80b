/**
 * The Kafka Streams topology: raw articles are decoded and validated, rejected ones go to the
 * dead-letter topic with a reason, accepted ones wait in a changelogged micro-batch buffer and
 * leave as labeled articles. Built in one place, {@link dev.newsclassifier.topology.NewsClassifierTopology}.
 */
package dev.newsclassifier.topology;
