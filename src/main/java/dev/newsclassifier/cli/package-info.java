/**
 * The {@code ./news-classifier} command line: {@code serve} runs the service, {@code demo} runs
 * it against an embedded broker and registry with sample articles. Output here is for people.
 * {@link dev.newsclassifier.cli.BadInputCatalogue} lists the bad input the service must survive,
 * for fault tests to publish.
 */
package dev.newsclassifier.cli;
