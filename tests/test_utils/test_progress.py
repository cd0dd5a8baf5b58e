"""Progress of long loops in a log: one line per tenth of the work."""
import re

from mmseg_synaug.utils import progress


def test_log_gets_one_line_per_tenth_and_every_item(capsys):
    items = list(range(25))
    assert list(progress(items, desc='filter', unit='img')) == items
    lines = capsys.readouterr().err.splitlines()
    # steps of ceil(25 / 10) = 3, and the last item
    counts = [
        int(re.match(r'filter: (\d+)/25 img \(', line).group(1))
        for line in lines
    ]
    assert counts == [3, 6, 9, 12, 15, 18, 21, 24, 25]
    assert '\r' not in ''.join(lines)


def test_disabled_and_empty_print_nothing(capsys):
    assert list(progress([1, 2], desc='x', disable=True)) == [1, 2]
    assert list(progress([], desc='x')) == []
    assert capsys.readouterr().err == ''
