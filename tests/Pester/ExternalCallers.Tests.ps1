# Agents that are not PowerShell call the module through a child pwsh: from PowerShell itself, bash, Python and
# Node. What they see is stdout, stderr and the exit code (0 success, 1 failure), exactly as with the original CLI.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Agents calling the module from outside, on the <Backend> store' -Tag 'External', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent designer, developer -Prefix ext
            $designer = $tc.Folders.designer
            $developer = $tc.Folders.developer
            $import = Get-TcImportCommand
            $claimDesign = "$import; tracecraft claim design"
            $claimedError = 'Error: Step design already claimed by designer'
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        Context 'pwsh -Command from PowerShell' {
            It 'the first claim prints the claim on stdout, nothing on stderr, and exits 0' {
                Set-Location $designer
                $errFile = Join-Path $tc.Root 'pwsh-claim.err'
                $out = & $env:TRACECRAFT_PWSH -NoProfile -Command $claimDesign 2> $errFile
                $LASTEXITCODE | Should -Be 0
                $out | Should -BeExactly @('Claimed step design as designer')
                Get-Content -Raw $errFile | Should -BeNullOrEmpty
            }

            It 'the second agent''s claim prints the original error on stderr, nothing on stdout, and exits 1' {
                Set-Location $developer
                $errFile = Join-Path $tc.Root 'pwsh-claim2.err'
                $out = & $env:TRACECRAFT_PWSH -NoProfile -Command $claimDesign 2> $errFile
                $LASTEXITCODE | Should -Be 1
                $out | Should -BeNullOrEmpty
                Get-Content $errFile | Should -BeExactly @($claimedError)
            }

            It 'a cmdlet error (Request-TcStep) goes to stderr with its message and exits 1' {
                $r = Invoke-TcPwsh -WorkingDirectory $developer -Command 'Request-TcStep -Id design | Out-Null'
                $r.ExitCode | Should -Be 1
                $r.StdOut | Should -BeNullOrEmpty
                $r.StdErr | Should -Match 'Step design already claimed by designer'
            }
        }

        Context 'bash -c' {
            It 'bash sees stdout, stderr and the exit code of a success and of a failure' {
                $script = @'
"$TC_PWSH" -NoProfile -Command "$TC_IMPORT; tracecraft memory set ext.from bash"
echo "first=$?"
"$TC_PWSH" -NoProfile -Command "$TC_IMPORT; tracecraft claim design" 2>"$TC_ERR" || echo "claim failed with $?"
echo "stderr=$(cat "$TC_ERR")"
'@
                $errFile = Join-Path $tc.Root 'bash.err'
                $r = Invoke-TcChild -FilePath bash -ArgumentList '-c', $script -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import; TC_ERR = $errFile }
                $r.ExitCode | Should -Be 0
                $r.OutLines | Should -BeExactly @('Set ext.from = bash', 'first=0', 'claim failed with 1', "stderr=$claimedError")
                $r.StdErr | Should -BeNullOrEmpty
            }
        }

        Context 'python3 subprocess.run' {
            It 'Python gets returncode, stdout and stderr of a success and of a failure' {
                $python = @'
import json, os, subprocess
def run(command):
    p = subprocess.run([os.environ["TC_PWSH"], "-NoProfile", "-Command", os.environ["TC_IMPORT"] + "; " + command],
                       capture_output=True, text=True)
    return {"code": p.returncode, "out": p.stdout, "err": p.stderr}
print(json.dumps([run("tracecraft step-status design"), run("tracecraft claim design")]))
'@
                $r = Invoke-TcChild -FilePath python3 -ArgumentList '-c', $python -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import }
                $r.ExitCode | Should -Be 0 -Because $r.StdErr
                $ok, $failed = $r.StdOut | ConvertFrom-Json
                $ok.code | Should -Be 0
                (ConvertTo-TcLine $ok.out) | Should -BeExactly @('design: in_progress (agent: designer)')
                $ok.err | Should -BeNullOrEmpty
                $failed.code | Should -Be 1
                $failed.out | Should -BeNullOrEmpty
                (ConvertTo-TcLine $failed.err) | Should -BeExactly @($claimedError)
            }
        }

        Context 'node child_process.spawnSync' {
            It 'Node gets status, stdout and stderr of a success and of a failure' {
                $node = @'
const { spawnSync } = require("child_process");
const run = (command) => {
  const p = spawnSync(process.env.TC_PWSH, ["-NoProfile", "-Command", process.env.TC_IMPORT + "; " + command], { encoding: "utf8" });
  return { code: p.status, out: p.stdout, err: p.stderr };
};
console.log(JSON.stringify([run("tracecraft send designer 'hello from node'"), run("tracecraft claim design")]));
'@
                $r = Invoke-TcChild -FilePath node -ArgumentList '-e', $node -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import }
                $r.ExitCode | Should -Be 0 -Because $r.StdErr
                $ok, $failed = $r.StdOut | ConvertFrom-Json
                $ok.code | Should -Be 0
                (ConvertTo-TcLine $ok.out) | Should -BeExactly @('Sent to designer: hello from node')
                $ok.err | Should -BeNullOrEmpty
                $failed.code | Should -Be 1
                $failed.out | Should -BeNullOrEmpty
                (ConvertTo-TcLine $failed.err) | Should -BeExactly @($claimedError)
            }

            It 'what the outside agents did is there for the PowerShell agent' {
                Set-Location $designer
                (Get-TcMemory -Key ext.from).Value | Should -BeExactly 'bash'
                $m = Get-TcInbox | Where-Object Text -eq 'hello from node'
                $m.From | Should -BeExactly 'developer'
            }
        }
    }
}

Describe 'A usage error from outside' -Tag 'External' {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend folder -Agent lead -Prefix usage
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'keeps exit code 2 when the caller passes $LASTEXITCODE on, with usage help on stderr' {
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'tracecraft claim; exit $LASTEXITCODE'
        $r.ExitCode | Should -Be 2
        $r.StdOut | Should -BeNullOrEmpty
        $r.ErrLines[0] | Should -BeLikeExactly 'Error: *step_id*'
        $r.ErrLines[-1] | Should -BeLikeExactly "Run 'tracecraft --help' for usage."
    }
}

Describe 'Bad input from outside never ends without an exit code' -Tag 'External' {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend folder -Agent lead -Prefix hostile
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'an endpoint without scheme is a usage error: exit code 2 through `; exit $LASTEXITCODE`, one Error line' {
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'tracecraft init --project p --agent a --endpoint 127.0.0.1:7480; exit $LASTEXITCODE'
        $r.ExitCode | Should -Be 2
        $r.StdOut | Should -BeNullOrEmpty
        $r.ErrLines | Should -BeExactly @(
            "Error: argument --endpoint: '127.0.0.1:7480' has no scheme: write it as a URL, e.g. http://127.0.0.1:7480",
            "Run 'tracecraft --help' for usage.")
    }

    It 'an out-of-range number is a usage error naming the option and the range' {
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'tracecraft wait-for x --timeout 1e300; exit $LASTEXITCODE'
        $r.ExitCode | Should -Be 2
        $r.ErrLines[0] | Should -BeExactly 'Error: argument --timeout: 1e300 is out of range: give 0 to 2000000 seconds'
    }

    It 'a wait-for timeout prints the original line on stderr and exits 1' {
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'tracecraft wait-for a b --timeout 0; exit $LASTEXITCODE'
        $r.ExitCode | Should -Be 1
        $r.StdOut | Should -BeNullOrEmpty
        $r.ErrLines[-1] | Should -BeExactly 'Error: Timeout after 0s. Not all steps complete: a, b'
    }

    It 'Initialize-TcProject -Endpoint without scheme fails with InvalidArgument and writes no config' {
        $folder = New-Item -ItemType Directory -Force (Join-Path $tc.Root 'endpoint')
        Push-Location $folder
        try {
            { Initialize-TcProject p a -Endpoint 127.0.0.1:7480 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,TraceCraft.PowerShell.Commands.InitializeTcProjectCommand' `
                    -ExpectedMessage "The endpoint '127.0.0.1:7480' has no scheme: write it as a URL, e.g. http://127.0.0.1:7480."
            Join-Path $folder '.tracecraft.json' | Should -Not -Exist
        }
        finally {
            Pop-Location
        }
    }

    It 'Start-TcHeartbeat reports a first beat the store refuses' {
        # The agents folder becomes a regular file: writing agents/lead.json fails (even as root).
        $agents = Join-Path $tc.FolderStore "objects/$($tc.Project)/agents"
        Remove-Item -Recurse -Force $agents
        Set-Content -Path $agents -Value ''
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'Start-TcHeartbeat -ErrorAction Stop; "started"'
        $r.ExitCode | Should -Be 1
        $r.StdOut | Should -BeNullOrEmpty
        $r.StdErr | Should -Not -BeNullOrEmpty
    }
}

Describe 'Initialize-TcProject with keys only in the environment' -Tag 'External', 's3' -Skip:(-not (Test-TcS3Configured) -and $env:CI -ne 'true') {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend s3 -Agent saved, kept -Prefix envkeys -NoInit
        $env:AWS_ACCESS_KEY_ID = $env:TRACECRAFT_TEST_S3_ACCESS_KEY
        $env:AWS_SECRET_ACCESS_KEY = $env:TRACECRAFT_TEST_S3_SECRET_KEY
    }

    AfterAll {
        Remove-Item env:AWS_ACCESS_KEY_ID, env:AWS_SECRET_ACCESS_KEY -ErrorAction Ignore
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'saves them to the config (as the original does), and -NoSaveKeys leaves them out' {
        foreach ($agent in 'saved', 'kept') {
            Push-Location $tc.Folders[$agent]
            try {
                Initialize-TcProject $tc.Project $agent -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT -Bucket $env:TRACECRAFT_TEST_S3_BUCKET `
                    -NoSaveKeys:($agent -eq 'kept') -ErrorAction Stop | Out-Null
            }
            finally {
                Pop-Location
            }
        }
        $saved = Get-Content -Raw (Join-Path $tc.Folders.saved '.tracecraft.json') | ConvertFrom-Json
        $saved.access_key | Should -BeExactly $env:TRACECRAFT_TEST_S3_ACCESS_KEY
        $saved.secret_key | Should -BeExactly $env:TRACECRAFT_TEST_S3_SECRET_KEY
        Get-Content -Raw (Join-Path $tc.Folders.kept '.tracecraft.json') | Should -Not -Match 'access_key|secret_key'
    }

    It 'a shell without the variables: the saved config works, the other fails with one CredentialsNotFound line' {
        $noKeys = @{
            AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_EC2_METADATA_DISABLED = 'true'
            AWS_SHARED_CREDENTIALS_FILE = (Join-Path $tc.Root 'none'); AWS_CONFIG_FILE = (Join-Path $tc.Root 'none')
        }
        $ok = Invoke-TcPwsh -WorkingDirectory $tc.Folders.saved -Environment $noKeys -Command 'tracecraft memory set env.keys saved; exit $LASTEXITCODE'
        $ok.ExitCode | Should -Be 0 -Because $ok.StdErr
        $ok.OutLines | Should -BeExactly @('Set env.keys = saved')
        $failed = Invoke-TcPwsh -WorkingDirectory $tc.Folders.kept -Environment $noKeys -Command 'tracecraft memory get env.keys; exit $LASTEXITCODE'
        $failed.ExitCode | Should -Be 1
        $failed.ErrLines | Should -HaveCount 1
        $failed.ErrLines[0] | Should -BeLikeExactly 'Error: No S3 credentials found: *'
    }
}
