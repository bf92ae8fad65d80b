/**
 * The {@code ./news-classifier} command line: {@code serve} runs the service, {@code demo} runs
 * it against an embedded broker and registry with sample articles. Output here is for people.
 */
package dev.newsclassifier.cli;
