using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// Shared files under <c>artifacts/&lt;sid or shared&gt;/&lt;name&gt;</c>, stored raw with no content type, as the original
    /// stores them. Safer than the original: names are validated, a download never writes outside the target
    /// folder, never overwrites without <c>force</c>, and never leaves a partial file (it writes a temporary file
    /// beside the target and renames it).
    /// </summary>
    public sealed class ArtifactService
    {
        private readonly TcSession _session;

        internal ArtifactService(TcSession session) => _session = session;

        /// <summary>Uploads a local file. Without <paramref name="overwrite"/>, an existing artifact is an error (DestinationExists).</summary>
        public async Task<Artifact> UploadAsync(string localPath, string? stepId = null, string? name = null, bool overwrite = true, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        {
            if (stepId is not null) IdValidator.Validate(IdKind.Step, stepId);
            string full = Path.GetFullPath(localPath);
            if (!File.Exists(full))
                throw new TcException(TcErrorCode.FileNotFound, $"File not found: {localPath}", localPath);
            string artifactName = IdValidator.Validate(IdKind.ArtifactName, name ?? Path.GetFileName(full));
            string key = _session.Layout.ArtifactKey(stepId, artifactName);
            WriteResult result;
            using (var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
                result = await _session.Store.UploadAsync(key, file, overwrite ? WriteCondition.None : WriteCondition.IfAbsent, progress, cancellationToken).ConfigureAwait(false);
            if (!result.Written)
                throw new TcException(TcErrorCode.DestinationExists, $"Artifact {key} already exists: use -Force (--force) to overwrite it.", key);
            var info = new FileInfo(full);
            return new Artifact { Name = artifactName, Step = stepId, Key = key, Size = info.Length, Modified = _session.Clock.Now, LocalPath = full };
        }

        /// <summary>
        /// Downloads an artifact. <paramref name="destination"/> is a file path, or a folder (existing, or ending in a
        /// separator) to write <c>&lt;folder&gt;/&lt;name&gt;</c> into; default: the working folder.
        /// </summary>
        public async Task<Artifact> DownloadAsync(string name, string? stepId, string? destination, string workingDirectory, bool force = false, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.ArtifactName, name);
            if (stepId is not null) IdValidator.Validate(IdKind.Step, stepId);
            string target = ResolveTarget(name, destination, workingDirectory);
            string key = _session.Layout.ArtifactKey(stepId, name);
            if (File.Exists(target) && !force)
                throw new TcException(TcErrorCode.DestinationExists, $"{target} already exists: use -Force (--force) to overwrite it.", target);
            if (Directory.Exists(target))
                throw new TcException(TcErrorCode.DestinationExists, $"{target} is a folder.", target);

            string folder = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(folder);
            SweepStaleParts(target);
            string temp = PartFileOf(target, Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                ObjectInfo? info;
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920))
                    info = await _session.Store.DownloadAsync(key, file, progress, cancellationToken).ConfigureAwait(false);
                if (info is null)
                    throw new TcException(TcErrorCode.ArtifactNotFound, $"Artifact not found: {key}", key);
                if (File.Exists(target)) File.Replace(temp, target, null);
                else File.Move(temp, target);
                return new Artifact { Name = name, Step = stepId, Key = key, Size = info.Size, Modified = info.LastModified, LocalPath = target };
            }
            finally
            {
                // Whatever ended the download (an error, a cancellation, a server that hung up mid-stream), no part
                // file stays; a delete that fails here must not hide why the download failed.
                TryDelete(temp);
            }
        }

        /// <summary>
        /// Deletes an artifact of a step (or a shared one when <paramref name="stepId"/> is null) and returns what was
        /// deleted. A missing artifact is an error (ArtifactNotFound), so that a typo in a name or step never looks
        /// like success.
        /// </summary>
        public async Task<Artifact> DeleteAsync(string name, string? stepId = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.ArtifactName, name);
            if (stepId is not null) IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.ArtifactKey(stepId, name);
            // S3 answers a delete of a missing key with success, so look first: a one-key listing, since a GET
            // would start downloading what may be a large file. The key sorts first among those it prefixes.
            var page = await _session.Store.ListAsync(key, null, 1, cancellationToken).ConfigureAwait(false);
            var found = page.Objects.FirstOrDefault(o => o.Key == key);
            if (found is null)
                throw new TcException(TcErrorCode.ArtifactNotFound, $"Artifact not found: {key}", key);
            await _session.Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return new Artifact { Name = name, Step = stepId, Key = key, Size = found.Size, Modified = found.LastModified };
        }

        /// <summary>
        /// The folder of <paramref name="destination"/> that keeps an artifact apart from same-named artifacts of other
        /// steps: <c>&lt;destination&gt;/&lt;step folder&gt;/</c>, the step's folder in the bucket (<c>shared</c> for
        /// shared artifacts), so a download mirrors the bucket's <c>artifacts/</c> layout.
        /// </summary>
        public static string PerStepFolder(string? destination, string? stepId)
        {
            if (stepId is not null) IdValidator.Validate(IdKind.Step, stepId);
            string folder = stepId is null ? ProjectLayout.SharedArtifacts : ProjectLayout.StepFolder(stepId);
            return Path.Combine(string.IsNullOrEmpty(destination) ? "." : destination!, folder) + Path.DirectorySeparatorChar;
        }

        /// <summary>A part file that is nobody's any more: its download was killed before it could clean up.</summary>
        internal static readonly TimeSpan StalePartAge = TimeSpan.FromHours(1);

        /// <summary>The hidden file a download of <paramref name="target"/> writes before renaming it into place.</summary>
        internal static string PartFileOf(string target, string tag) =>
            Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + "." + tag + ".part");

        /// <summary>
        /// Removes part files of the same target left by killed downloads: only our own names for this one target,
        /// untouched for <see cref="StalePartAge"/> (a live download keeps writing to its part file).
        /// </summary>
        private static void SweepStaleParts(string target)
        {
            string prefix = "." + Path.GetFileName(target) + ".";
            var cutoff = DateTime.UtcNow - StalePartAge;
            try
            {
                foreach (var part in new DirectoryInfo(Path.GetDirectoryName(target)!).EnumerateFiles(prefix + "*.part"))
                {
                    string tag = part.Name.Substring(prefix.Length, part.Name.Length - prefix.Length - ".part".Length);
                    if (tag.Length != 8 || !tag.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) continue;
                    if (part.LastWriteTimeUtc < cutoff) TryDelete(part.FullName);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only tidying: never a reason to fail the download.
            }
        }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>Artifacts of one step, of the shared folder (<paramref name="sharedOnly"/>), or of the whole project.</summary>
        public async Task<IReadOnlyList<Artifact>> ListAsync(string? stepId = null, bool sharedOnly = false, CancellationToken cancellationToken = default)
        {
            if (stepId is not null) IdValidator.Validate(IdKind.Step, stepId);
            string allPrefix = _session.Layout.Root + "artifacts/";
            string prefix = stepId is not null || sharedOnly ? _session.Layout.ArtifactsPrefix(stepId) : allPrefix;
            var objects = await _session.Store.ListAllAsync(prefix, null, cancellationToken).ConfigureAwait(false);
            return objects.Select(o =>
            {
                string rest = o.Key.Substring(allPrefix.Length);
                int slash = rest.IndexOf('/');
                string folder = slash < 0 ? "" : rest.Substring(0, slash);
                return new Artifact
                {
                    Name = slash < 0 ? rest : rest.Substring(slash + 1),
                    Step = folder == ProjectLayout.SharedArtifacts ? null : stepId ?? folder,
                    Key = o.Key,
                    Size = o.Size,
                    Modified = o.LastModified,
                };
            }).ToList();
        }

        /// <summary>The file a download writes: never outside the folder it is aimed at.</summary>
        public static string ResolveTarget(string name, string? destination, string workingDirectory)
        {
            string baseFolder = Path.GetFullPath(workingDirectory);
            if (string.IsNullOrEmpty(destination))
                return Inside(baseFolder, name);
            string full = Path.GetFullPath(Path.Combine(baseFolder, destination));
            bool isFolder = Directory.Exists(full) || destination!.EndsWith("/", StringComparison.Ordinal) || destination.EndsWith("\\", StringComparison.Ordinal);
            return isFolder ? Inside(full, name) : full;
        }

        private static string Inside(string folder, string name)
        {
            string root = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string target = Path.GetFullPath(Path.Combine(root, name));
            if (!target.StartsWith(root, StringComparison.Ordinal))
                throw new TcException(TcErrorCode.InvalidIdentifier, $"The artifact name '{name}' would write outside '{folder}'.", name);
            return target;
        }
    }
}
