"""Running briefly's CLI in a fresh process that must import neither torch nor transformers."""

import json
import subprocess
import sys


def brief_without_torch(argv: list[str]) -> dict:
    """The JSON output of ``briefly`` run with ``argv`` (which asks for ``-f json``).

    Fails the calling test if the command fails or the process imported torch or transformers.
    """
    code = (
        "import sys\n"
        "from briefly.cli.app import main\n"
        f"sys.argv = {['briefly', *argv]!r}\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = {'torch', 'transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
