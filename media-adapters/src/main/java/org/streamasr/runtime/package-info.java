/**
 * The runtime kit both modules use, one implementation per idea: {@link org.streamasr.runtime.DropCounter} (drops
 * counted per reason, logged at most once per interval), {@link org.streamasr.runtime.DistinctErrorLog} (each
 * distinct failure logged once with its stack trace, repeats counted), {@link org.streamasr.runtime.SerialExecutor}
 * (one owner's tasks in order on a shared pool, bounded), {@link org.streamasr.runtime.NamedThreads} (every pool's
 * and scheduler's thread factory), {@link org.streamasr.runtime.ExecutorShutdown} (every pool's and timer's bounded
 * stop), {@link org.streamasr.runtime.AudioInbox} (a stream's bounded, drop-oldest audio
 * between producer and recogniser) and {@link org.streamasr.runtime.LogText} (untrusted input made printable for a
 * log line). Nothing here knows media, engines or servers; search here before writing such a helper.
 */
package org.streamasr.runtime;
