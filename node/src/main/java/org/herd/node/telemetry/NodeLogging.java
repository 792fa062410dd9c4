package org.herd.node.telemetry;

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
                                                 GroupCommitFileAppender.LogFileLimits limits) {
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

    /**
     * For a node alone in its JVM, once it serves: its console (logs/&lt;Node&gt;.out, a plain
     * redirect that nothing rolls) gets nothing more; everything goes to the node's bounded log
     * file. A broker outage makes Kafka's clients warn every second, for as long as it lasts.
     */
    public static void quietConsole(String node) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("CONSOLE") != null) {
            LoggerFactory.getLogger(NodeLogging.class).info("node {}: from now on, log lines go to its log file only", node);
            root.detachAppender("CONSOLE");
        }
    }

    public static void detach(String node, Appender<ILoggingEvent> file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger("herd.traffic." + node).detachAppender(file);
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(file);
        file.stop();
    }
}
