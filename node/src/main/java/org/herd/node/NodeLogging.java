package org.herd.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Sends a node's traffic log (and, when the node has a process of its own, everything else it
 * logs) to {@code <logs.dir>/<Node>.log}. Done in code rather than in logback.xml so that nodes
 * sharing one JVM, as in the tests, still get one file each.
 */
public final class NodeLogging {
    private NodeLogging() {
    }

    /** Returns the appender so the caller can detach and stop it when the node closes. */
    public static GroupCommitFileAppender attach(String node, Path logsDir, boolean ownProcess,
                                                 GroupCommitFileAppender.Limits limits) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(ownProcess
                ? "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n%ex"
                : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %msg%n");
        encoder.start();
        GroupCommitFileAppender file = new GroupCommitFileAppender(logsDir.resolve(node + ".log"), encoder, limits);
        file.setContext(ctx);
        file.setName("node-" + node);
        file.start();
        Logger traffic = ctx.getLogger("herd.traffic." + node);
        traffic.setAdditive(false);
        traffic.setLevel(ch.qos.logback.classic.Level.INFO);
        traffic.addAppender(file);
        if (ownProcess) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(file);
        }
        return file;
    }

    public static void detach(String node, Appender<ILoggingEvent> file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger("herd.traffic." + node).detachAppender(file);
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(file);
        file.stop();
    }
}
