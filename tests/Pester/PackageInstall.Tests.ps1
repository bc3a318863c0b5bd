# The install path users take, offline: publish the built module into a local PSResourceGet repository, install it
# from there into a clean user scope (a fresh HOME), and run it from there in a fresh pwsh.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $script:ModuleDir = Split-Path -Parent $env:TRACECRAFT_MODULE_PATH
    $script:Pwsh = $env:TRACECRAFT_PWSH
}

Describe 'Packaging and install' {
    It 'publishes a Gallery-shaped nupkg, installs it with Install-PSResource into a clean scope and runs from there' {
        $feed = New-Item -ItemType Directory (Join-Path $TestDrive 'feed')
        $home2 = New-Item -ItemType Directory (Join-Path $TestDrive 'home')
        $work = New-Item -ItemType Directory (Join-Path $TestDrive 'work')
        $publish = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name local -Uri '$($feed.FullName)' -Trusted
Publish-PSResource -Path '$ModuleDir' -Repository local -SkipDependenciesCheck
Install-PSResource -Name TraceCraft -Repository local -Scope CurrentUser -TrustRepository
(Get-InstalledPSResource -Name TraceCraft).InstalledLocation
"@
        $env:HOME, $oldHome = $home2.FullName, $env:HOME
        try {
            $installed = & $Pwsh -NoProfile -NonInteractive -Command $publish 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($installed | Out-String)

            $nupkg = @(Get-ChildItem $feed -Filter 'TraceCraft.*.nupkg')
            $nupkg | Should -HaveCount 1
            Add-Type -AssemblyName System.IO.Compression.FileSystem
            $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg[0].FullName)
            try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
            foreach ($expected in 'TraceCraft.psd1', 'TraceCraft.psm1', 'TraceCraft.PowerShell.dll', 'TraceCraft.Format.ps1xml', 'TraceCraft.Types.ps1xml', 'LICENSE',
                'en-US/TraceCraft.PowerShell.dll-Help.xml', 'en-US/about_TraceCraft.help.txt', 'dependencies/TraceCraft.Core.dll',
                'dependencies/AWSSDK.S3.dll', 'TraceCraft.nuspec') {
                $entries | Should -Contain $expected
            }

            $run = @"
`$ErrorActionPreference = 'Stop'
Set-Location '$($work.FullName)'
Import-Module TraceCraft
(Get-Module TraceCraft).ModuleBase
tracecraft init --project installed --agent a --backend folder --path ./bucket | Out-Null
tracecraft claim from-gallery
(Request-TcStep -Id second).Token
"@
            $output = & $Pwsh -NoProfile -NonInteractive -Command $run 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            $output[0] | Should -BeLike "$($home2.FullName)*"
            $output[1] | Should -Be 'Claimed step from-gallery as a'
            $output[2] | Should -Be 1

            # The fast path: the package carries the native executable for this runtime, and Install-TcCommand puts it
            # in a folder from which it runs (made executable: the package's zip keeps no file modes).
            $runtime = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
            $exeName = $IsWindows ? 'tracecraft.exe' : 'tracecraft'
            $entries | Should -Contain "bin/$runtime/$exeName"
            # SQLite's library rides beside it (Hermes sessions), and is installed with it.
            $sqlite = $IsWindows ? 'e_sqlite3.dll' : ($IsMacOS ? 'libe_sqlite3.dylib' : 'libe_sqlite3.so')
            $entries | Should -Contain "bin/$runtime/$sqlite"
            $bin = Join-Path $TestDrive 'bin'
            $install = @"
`$ErrorActionPreference = 'Stop'
Import-Module TraceCraft
Install-TcCommand -Destination '$bin' -WhatIf
"whatif: `$(Test-Path '$bin')"
(Install-TcCommand -Destination '$bin' -WarningVariable w -WarningAction SilentlyContinue).FullName
"warning: `$w"
try { Install-TcCommand -Destination '$bin' -Runtime no-such-rid } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"@
            $output = & $Pwsh -NoProfile -NonInteractive -Command $install 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            $output[0] | Should -BeLike 'What if: *'
            $output[1] | Should -BeExactly 'whatif: False'
            $exe = Join-Path $bin $exeName
            $output[2] | Should -BeExactly $exe
            $output[3] | Should -BeExactly "warning: $bin is not on PATH. Add it, e.g. in ~/.profile: export PATH=`"${bin}:`$PATH`""
            $output[4] | Should -BeExactly 'NativeCommandNotPackaged,TraceCraft.PowerShell.Commands.InstallTcCommandCommand'
            $output[5] | Should -BeLike "*no native tracecraft for no-such-rid (it has: $runtime)*"
            Join-Path $bin $sqlite | Should -Exist
            $version = & $exe --version
            $LASTEXITCODE | Should -Be 0
            $version | Should -BeExactly "tracecraft $((Import-PowerShellDataFile (Join-Path $ModuleDir 'TraceCraft.psd1')).ModuleVersion)"
        }
        finally {
            $env:HOME = $oldHome
        }
    }
}
