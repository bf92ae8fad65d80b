package dev.newsclassifier.cli;

import picocli.CommandLine;

/** The version Maven packaged, from the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = NewsClassifierMain.class.getPackage().getImplementationVersion();
        return new String[] {"news-classifier " + (version == null ? "(development build)" : version)};
    }
}
