using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TraceCraft.Errors;

namespace TraceCraft.Sessions
{
    /// <summary>
    /// Finds a harness's session transcript on this machine, where each harness writes it (see
    /// docs and the original 0.2.2): by id when one is given, else the most recent one.
    /// </summary>
    public static class SessionLocator
    {
        /// <summary>The id an OpenClaw session is mirrored under joins its agent and session ids with this.</summary>
        public const string OpenClawSeparator = "__";

        public static SessionSource Find(string harness, string? sessionId, string? cwd, SessionSourceOptions options)
        {
            if (sessionId is not null) Keys.IdValidator.Validate(Keys.IdKind.SessionId, sessionId);
            return SessionHarness.Validate(harness) switch
            {
                SessionHarness.ClaudeCode => FindClaudeCode(sessionId, cwd, options),
                SessionHarness.Codex => FindCodex(sessionId, cwd, options),
                SessionHarness.OpenClaw => FindOpenClaw(sessionId, options),
                _ => FindHermes(sessionId, options),
            };
        }

        /// <summary>
        /// Claude Code's folder for a working directory: the absolute path with every '/' made '-'
        /// (<c>/home/x/proj</c> → <c>-home-x-proj</c>), as the original computes it.
        /// </summary>
        public static string EncodeClaudeProjectFolder(string absolutePath) => absolutePath.Replace('/', '-');

        private static SessionSource FindClaudeCode(string? sessionId, string? cwd, SessionSourceOptions options)
        {
            string projects = Path.Combine(options.HomeDirectory, ".claude", "projects");
            string directory = ResolveCwd(cwd, options);
            // The original's encoding first; Claude Code itself also turns '.', '_' and other non-alphanumerics into
            // '-', so that form is tried second (a folder such as /home/x/my.app is found either way).
            var folders = new[] { EncodeClaudeProjectFolder(directory), EncodeLikeClaudeCode(directory) }
                .Distinct(StringComparer.Ordinal).Select(f => Path.Combine(projects, f)).ToList();
            if (sessionId is not null)
            {
                // The named session in this folder's project, else in any project (a session id is unique).
                var file = folders.Select(f => Path.Combine(f, sessionId + ".jsonl")).FirstOrDefault(File.Exists)
                    ?? (Directory.Exists(projects)
                        ? Directory.EnumerateDirectories(projects).Select(f => Path.Combine(f, sessionId + ".jsonl")).FirstOrDefault(File.Exists)
                        : null)
                    ?? throw NotFound($"No Claude Code session '{sessionId}' under '{projects}'.", projects);
                return new TranscriptFileSource(SessionHarness.ClaudeCode, sessionId, file, directory);
            }
            var latest = folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*.jsonl")).OrderByDescending(LastWrite).FirstOrDefault()
                ?? throw NotFound($"No Claude Code session for '{directory}' (looked in '{folders[0]}'): give --cwd or --session-id.", folders[0]);
            return new TranscriptFileSource(SessionHarness.ClaudeCode, Path.GetFileNameWithoutExtension(latest), latest, directory);
        }

        private static SessionSource FindCodex(string? sessionId, string? cwd, SessionSourceOptions options)
        {
            string root = Path.Combine(options.HomeDirectory, ".codex", "sessions");
            var rollouts = Directory.Exists(root)
                ? Directory.EnumerateFiles(root, "rollout-*.jsonl", SearchOption.AllDirectories).Select(f => (Path: f, Id: CodexIdOf(f))).Where(r => r.Id is not null).ToList()
                : new List<(string Path, string? Id)>();
            if (sessionId is not null)
            {
                var match = rollouts.Where(r => r.Id == sessionId).Select(r => r.Path).OrderByDescending(LastWrite).FirstOrDefault()
                    ?? throw NotFound($"No Codex session '{sessionId}' under '{root}'.", root);
                return new TranscriptFileSource(SessionHarness.Codex, sessionId, match, null);
            }
            // The most recent rollout; with --cwd, the most recent one that Codex started in that folder.
            var candidates = rollouts.Select(r => r.Path).OrderByDescending(LastWrite)
                .Select(p => new TranscriptFileSource(SessionHarness.Codex, CodexIdOf(p)!, p, null));
            string? folder = cwd is null ? null : ResolveCwd(cwd, options);
            return candidates.FirstOrDefault(s => folder is null || SamePath(s.Cwd, folder))
                ?? throw NotFound(folder is null ? $"No Codex session under '{root}'." : $"No Codex session of '{folder}' under '{root}'.", root);
        }

        /// <summary><c>rollout-YYYY-MM-DDThh-mm-ss-&lt;id&gt;.jsonl</c> → <c>&lt;id&gt;</c>; null for any other name.</summary>
        public static string? CodexIdOf(string path)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            const string prefix = "rollout-";
            int stampEnd = prefix.Length + "YYYY-MM-DDThh-mm-ss".Length;
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length <= stampEnd + 1 || name[stampEnd] != '-') return null;
            return name.Substring(stampEnd + 1);
        }

        /// <summary>OPENCLAW_STATE_DIR, else OPENCLAW_HOME, else ~/.openclaw.</summary>
        public static string OpenClawStateDirectory(SessionSourceOptions options) =>
            options.Env("OPENCLAW_STATE_DIR") ?? options.Env("OPENCLAW_HOME") ?? Path.Combine(options.HomeDirectory, ".openclaw");

        private static SessionSource FindOpenClaw(string? sessionId, SessionSourceOptions options)
        {
            string agents = Path.Combine(OpenClawStateDirectory(options), "agents");
            var sessions = new List<(string Agent, string Session, string Path)>();
            if (Directory.Exists(agents))
                foreach (var agentFolder in Directory.EnumerateDirectories(agents))
                {
                    string folder = Path.Combine(agentFolder, "sessions");
                    if (!Directory.Exists(folder)) continue;
                    // sessions.json is OpenClaw's index and *.tmp its half-written files: neither is a transcript.
                    foreach (var file in Directory.EnumerateFiles(folder, "*.jsonl"))
                        if (!file.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase))
                            sessions.Add((Path.GetFileName(agentFolder), Path.GetFileNameWithoutExtension(file), file));
                }
            (string Agent, string Session, string Path) found;
            if (sessionId is not null)
            {
                // '<agentId>__<sessionId>' names one agent's session; a bare session id is looked up in every agent.
                found = sessions.Where(s => s.Agent + OpenClawSeparator + s.Session == sessionId || s.Session == sessionId)
                    .OrderByDescending(s => LastWrite(s.Path)).FirstOrDefault();
                if (found.Path is null) throw NotFound($"No OpenClaw session '{sessionId}' under '{agents}'.", agents);
            }
            else
            {
                found = sessions.OrderByDescending(s => LastWrite(s.Path)).FirstOrDefault();
                if (found.Path is null) throw NotFound($"No OpenClaw session under '{agents}' (set OPENCLAW_STATE_DIR if OpenClaw keeps its state elsewhere).", agents);
            }
            return new TranscriptFileSource(SessionHarness.OpenClaw, found.Agent + OpenClawSeparator + found.Session, found.Path, null);
        }

        private static SessionSource FindHermes(string? sessionId, SessionSourceOptions options)
        {
            string database = Path.Combine(options.HomeDirectory, ".hermes", "state.db");
            if (!File.Exists(database)) throw NotFound($"No Hermes database at '{database}'.", database);
            if (sessionId is not null)
            {
                if (!HermesSource.HasSession(database, sessionId)) throw NotFound($"No Hermes session '{sessionId}' in '{database}'.", database);
                return new HermesSource(database, sessionId);
            }
            string latest = HermesSource.LatestSessionId(database) ?? throw NotFound($"The Hermes database '{database}' has no messages yet.", database);
            return new HermesSource(database, latest);
        }

        private static string ResolveCwd(string? cwd, SessionSourceOptions options)
        {
            string full = Path.GetFullPath(Path.Combine(options.WorkingDirectory, cwd ?? "."));
            return full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
        }

        private static string EncodeLikeClaudeCode(string path)
        {
            var chars = path.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
                if (!(chars[i] < 128 && char.IsLetterOrDigit(chars[i]))) chars[i] = '-';
            return new string(chars);
        }

        private static bool SamePath(string? a, string b) =>
            a is not null && string.Equals(a.TrimEnd('/', '\\'), b, StringComparison.Ordinal);

        private static DateTime LastWrite(string path) => File.GetLastWriteTimeUtc(path);

        private static TcException NotFound(string message, string target) => new TcException(TcErrorCode.SessionSourceNotFound, message, target);
    }
}
