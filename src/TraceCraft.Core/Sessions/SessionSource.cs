namespace TraceCraft.Sessions
{
    /// <summary>
    /// One agent session's transcript on this machine, read from a cursor on. Sources are only ever read: files are
    /// opened for reading with every sharing mode (the agent keeps writing), databases read-only.
    /// </summary>
    public abstract class SessionSource
    {
        protected SessionSource(string harness, string sessionId, string sourcePath, string? cwd)
        {
            Harness = harness;
            SessionId = Keys.IdValidator.Validate(Keys.IdKind.SessionId, sessionId);
            SourcePath = sourcePath;
            Cwd = cwd;
        }

        public string Harness { get; }
        /// <summary>The id the session is mirrored under (OpenClaw: <c>&lt;agentId&gt;__&lt;sessionId&gt;</c>).</summary>
        public string SessionId { get; }
        /// <summary>The transcript file, or Hermes' database.</summary>
        public string SourcePath { get; }
        /// <summary>The working folder of the session when the transcript tells it; null otherwise.</summary>
        public string? Cwd { get; }

        /// <summary>
        /// What is new after <paramref name="cursor"/> (a byte offset for transcript files, the highest message id
        /// mirrored for Hermes): complete JSON lines only, never a line still being written.
        /// </summary>
        public abstract SourceRead ReadFrom(long cursor);
    }

    /// <summary>New complete lines of a source, and where the cursor stands after them.</summary>
    public sealed class SourceRead
    {
        public SourceRead(byte[] data, long from, long to, long size)
        {
            Data = data;
            From = from;
            To = to;
            Size = size;
        }

        /// <summary>Whole lines, each ending in '\n'; empty when nothing new is complete.</summary>
        public byte[] Data { get; }
        public long From { get; }
        public long To { get; }
        /// <summary>How far the source goes now: a file's length, or Hermes' highest message id of the session.</summary>
        public long Size { get; }
    }
}
