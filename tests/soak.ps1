#Requires -Version 7.2
<#
.SYNOPSIS
Soak run: the 8-process workload of EightProcessTests (claims, compare-and-set, messages, completes), for as long
as you like, on both backends, with the same checks at the end. Not part of CI.

.EXAMPLE
dotnet pwsh tests/soak.ps1 -Minutes 30
Runs each round for 30 minutes (the real S3 server comes from TRACECRAFT_TEST_S3_* or is started for the run).
#>
param(
    [double] $Minutes = 10,
    [ValidateSet('Folder', 'S3', 'Both')] [string] $Backend = 'Both'
)
$ErrorActionPreference = 'Stop'
$env:TRACECRAFT_SOAK_SECONDS = [string]([int]($Minutes * 60))
$filter = switch ($Backend) { 'Folder' { 'FullyQualifiedName~FolderEightProcess' } 'S3' { 'FullyQualifiedName~S3EightProcess' } default { 'FullyQualifiedName~EightProcess' } }
& dotnet test (Join-Path $PSScriptRoot 'TraceCraft.Core.Tests') -c Release --filter $filter --logger 'console;verbosity=normal'
exit $LASTEXITCODE
