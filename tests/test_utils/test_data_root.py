"""The documented data-root order and its errors."""
import pytest

from mmseg_synaug.utils import DATA_ROOT_ENV, DataError
from mmseg_synaug.utils import data_root as data_root_module
from mmseg_synaug.utils import resolve_data_root


@pytest.fixture
def fake_repo(tmp_path, monkeypatch):
    """A repository at tmp_path/repo with ../shared/data beside it."""
    repo = tmp_path / 'repo'
    repo.mkdir()
    monkeypatch.setattr(data_root_module, 'REPO_ROOT', repo)
    monkeypatch.delenv(DATA_ROOT_ENV, raising=False)
    return repo


def make_dataset(path):
    (path / 'train').mkdir(parents=True)
    return str(path)


def test_order_config_env_repo_shared(fake_repo, tmp_path, monkeypatch):
    shared = make_dataset(tmp_path / 'shared' / 'data' / 'toy')
    assert resolve_data_root('toy', required=('train', )) == shared
    in_repo = make_dataset(fake_repo / 'data' / 'toy')
    assert resolve_data_root('toy', required=('train', )) == in_repo
    from_env = make_dataset(tmp_path / 'env' / 'toy')
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / 'env'))
    assert resolve_data_root('toy', required=('train', )) == from_env
    explicit = make_dataset(tmp_path / 'explicit')
    assert resolve_data_root('toy', explicit, required=('train', )) == \
        explicit


def test_wrong_explicit_root_is_an_error(fake_repo, tmp_path):
    make_dataset(fake_repo / 'data' / 'toy')
    with pytest.raises(DataError, match='lacks the folders') as error:
        resolve_data_root(
            'toy', str(tmp_path / 'nowhere'), required=('train', ))
    assert 'nowhere' in str(error.value) and 'Fix:' in str(error.value)


def test_wrong_env_root_is_an_error(fake_repo, tmp_path, monkeypatch):
    make_dataset(fake_repo / 'data' / 'toy')
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / 'empty'))
    with pytest.raises(DataError, match=DATA_ROOT_ENV):
        resolve_data_root('toy', required=('train', ))


def test_nothing_found_lists_the_places(fake_repo):
    with pytest.raises(DataError) as error:
        resolve_data_root(
            'toy',
            required=('train', ),
            converter='tools/dataset_converters/toy.py')
    message = str(error.value)
    assert 'data/toy' in message and 'shared/data/toy' in message
    assert 'tools/dataset_converters/toy.py' in message


def test_chosen_root_is_logged_once(fake_repo, tmp_path, monkeypatch):
    logs = []
    monkeypatch.setattr(data_root_module, 'print_log',
                        lambda msg, *args, **kwargs: logs.append(msg))
    shared = make_dataset(tmp_path / 'shared' / 'data' / 'toy')
    for _ in range(3):
        resolve_data_root('toy', required=('train', ))
    explicit = make_dataset(tmp_path / 'explicit')
    resolve_data_root('toy', explicit, required=('train', ))
    assert logs == [
        f'toy data root: {shared} (../shared/data/)',
        f'toy data root: {explicit} (from the config)'
    ]
