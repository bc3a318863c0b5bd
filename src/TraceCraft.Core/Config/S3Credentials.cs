using System;
using Amazon.Runtime.Credentials;
using TraceCraft.Errors;

namespace TraceCraft.Config
{
    /// <summary>
    /// Where the S3 keys come from when the config holds none: the AWS SDK's own chain (AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY, the shared profile files, container or instance metadata). Left alone, the SDK walks
    /// that chain at the first request and, when nothing has keys, fails with four nested exceptions (after our
    /// retries, since it looks like a client failure). Asking the same chain once up front turns that into one line
    /// that says what to do. The SDK caches what it finds, so the client's own lookup later costs nothing.
    /// </summary>
    internal static class S3Credentials
    {
        /// <summary>What to do, after "No S3 credentials found".</summary>
        private const string WhatToDo =
            ": the config has no access_key/secret_key, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and no AWS profile has keys. " +
            "Run init again with --access-key and --secret-key (Initialize-TcProject -Credential), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

        public static void EnsureAvailable()
        {
            try
            {
                DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The chain's own message is a multi-line dump of every provider's failure: only a one-line reason
                // (e.g. "Unable to find the "ci" profile." for a wrong AWS_PROFILE) is worth adding.
                string reason = e.Message.Trim();
                string detail = reason.IndexOf('\n') < 0 && reason.Length > 0 ? $" ({reason.TrimEnd('.')})" : "";
                throw new TcException(TcErrorCode.CredentialsNotFound, "No S3 credentials found" + detail + WhatToDo, "credentials", e);
            }
        }
    }
}
