using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Sessions;
using TraceCraft.Wire;

namespace TraceCraft.CommandLine
{
    /// <summary>
    /// <c>tracecraft session mirror|list|show|stop</c>: the original 0.2.2's session mirroring verbs and lines. They do
    /// not refresh the agent's presence (unlike the coordination verbs): a mirror run with nothing new writes nothing.
    /// </summary>
    internal sealed partial class CliVerbs
    {
        private static readonly string[] SessionActions = { "mirror", "list", "show", "stop" };

        private async Task<int> SessionAsync(List<string> args)
        {
            if (args.Count == 0) throw CliArguments.Usage("session: choose one of " + string.Join(", ", SessionActions));
            var rest = args.Skip(1).ToList();
            switch (args[0])
            {
                case "mirror": return await SessionMirrorAsync(rest).ConfigureAwait(false);
                case "list": return await SessionListAsync(rest).ConfigureAwait(false);
                case "show": return await SessionShowAsync(rest).ConfigureAwait(false);
                case "stop": return await SessionStopAsync(rest).ConfigureAwait(false);
                default: throw CliArguments.Usage($"session: invalid choice: '{args[0]}' (choose from {string.Join(", ", SessionActions)})");
            }
        }

        /// <summary>The local cursor files' folder: mirror-state under ~/.tracecraft (or TRACECRAFT_HOME).</summary>
        private string MirrorStateDirectory => Path.Combine(Loader.HomeDirectory, "mirror-state");

        private static string HarnessArgument(string? value)
        {
            if (value is null || Array.IndexOf(SessionHarness.All, value) >= 0) return value!;
            throw CliArguments.Usage($"argument --harness: invalid choice: '{value}' (choose from {string.Join(", ", SessionHarness.All.Select(h => "'" + h + "'"))})");
        }

        private async Task<int> SessionMirrorAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--harness", "--session-id", "--cwd", "--min-bytes" }, new[] { "--no-redact" });
            a.NoMoreThan(0);
            string harness = HarnessArgument(a.Value("--harness") ?? throw CliArguments.Usage("the following arguments are required: --harness"));
            var request = new MirrorRequest
            {
                Harness = harness,
                SessionId = a.Value("--session-id"),
                Cwd = a.Value("--cwd"),
                Redact = !a.Flag("--no-redact"),
                MinBytes = a.Whole("--min-bytes", 1, int.MaxValue) ?? 1,
                Sources = SessionSourceOptions.From(_context.Environment, _context.WorkingDirectory),
            };
            using var session = OpenSession();
            var result = await session.Transcripts.MirrorAsync(request, MirrorStateDirectory, _context.Cancellation).ConfigureAwait(false);
            Out.WriteLine(MirrorLine(result));
            return TracecraftCli.Success;
        }

        /// <summary>The original's line for a mirror run.</summary>
        internal static string MirrorLine(MirrorResult result) => result.Part is SessionPart part
            ? $"uploaded {part.Name}  source={Bytes(part.SourceBytes)}  upload={Bytes(part.UploadedBytes)}  redactions={part.Redactions.ToPythonText()}"
            : $"nothing new: session={result.SessionId} cursor={result.Cursor.ToString(CultureInfo.InvariantCulture)} size={result.SourceSize.ToString(CultureInfo.InvariantCulture)}";

        /// <summary>Python's <c>f"{n:,}B"</c>.</summary>
        private static string Bytes(long n) => n.ToString("#,0", CultureInfo.InvariantCulture) + "B";

        private async Task<int> SessionListAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--harness", "--limit", "--sort-by" }, None);
            a.NoMoreThan(0);
            string? harness = a.Value("--harness") is string h ? HarnessArgument(h) : null;
            int limit = a.Whole("--limit", 1, 1_000_000) ?? 20;
            var sort = a.Value("--sort-by") switch
            {
                null or "recent" => SessionSort.Recent,
                "size" => SessionSort.Size,
                string other => throw CliArguments.Usage($"argument --sort-by: invalid choice: '{other}' (choose from 'recent', 'size')"),
            };
            using var session = OpenSession();
            var sessions = await session.Transcripts.ListAsync(harness, sort, limit, _context.Cancellation).ConfigureAwait(false);
            if (sessions.Count == 0)
            {
                Out.WriteLine("(no sessions)");
                return TracecraftCli.Success;
            }
            foreach (var line in ListLines(sessions)) Out.WriteLine(line);
            return TracecraftCli.Success;
        }

        /// <summary>
        /// The original's table: harness 14, session 16, bytes 12 and parts 6 right-aligned, last upload 25; a rule of 80
        /// '-'; ids longer than 8 characters cut to 8 and '…'. Bytes with thousands separators and the upload time to the
        /// second (UTC) are our choice where the reference gives only the widths.
        /// </summary>
        internal static IEnumerable<string> ListLines(IEnumerable<MirroredSession> sessions)
        {
            yield return Row("HARNESS", "SESSION", "BYTES", "PARTS", "LAST UPLOAD");
            yield return new string('-', 80);
            foreach (var s in sessions)
            {
                string id = s.SessionId.Length > 8 ? s.SessionId.Substring(0, 8) + "…" : s.SessionId;
                string last = s.LastUploadedAt is DateTimeOffset t ? WireTime.Format(t).Substring(0, 19) : "-";
                yield return Row(s.Harness, id, s.TotalUploadedBytes.ToString("#,0", CultureInfo.InvariantCulture), s.PartCount.ToString(CultureInfo.InvariantCulture), last);
            }
        }

        private static string Row(string harness, string session, string bytes, string parts, string last) =>
            $"{harness,-14} {session,-16} {bytes,12} {parts,6} {last,-25}";

        private async Task<int> SessionShowAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--tail" }, None);
            string id = a.Required(0, "session_id");
            a.NoMoreThan(1);
            int? tail = a.Whole("--tail", 0, 1_000_000);
            using var session = OpenSession();
            var found = await session.Transcripts.GetAsync(id, tail, _context.Cancellation).ConfigureAwait(false)
                ?? throw new TcException(TcErrorCode.SessionNotFound, $"session not found: {id}", id);
            Out.WriteLine(found.MetaJson);
            if (found.Tail is string[] lines)
            {
                Out.WriteLine();
                Out.WriteLine("--- tail ---");
                foreach (var line in lines) Out.WriteLine(line);
            }
            return TracecraftCli.Success;
        }

        private async Task<int> SessionStopAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, None, None);
            string id = a.Required(0, "session_id");
            a.NoMoreThan(1);
            using var session = OpenSession();
            var result = await session.Transcripts.StopAsync(id, MirrorStateDirectory, _context.Cancellation).ConfigureAwait(false);
            Out.WriteLine($"stopped session={id}  state_cleared={PythonBool(result.StateCleared)}  meta_marked_ended={PythonBool(result.MetaMarkedEnded)}");
            return TracecraftCli.Success;
        }

        private static string PythonBool(bool value) => value ? "True" : "False";
    }
}
