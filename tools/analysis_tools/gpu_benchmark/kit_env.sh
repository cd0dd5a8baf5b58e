# Sourced by run_stage.sh and device_session.sh from the repository root:
# where mmseg is not importable, installs the offline kit's wheels
# ($KIT/wheels, tools/misc/pack_gpu_kit.sh) into /tmp/site and puts them on
# the path; then puts the repository on the path. Returns 1 if the
# install fails.
# Environment: PYTHON (default python3), KIT (default .gpu).
PYTHON=${PYTHON:-python3}
KIT=${KIT:-.gpu}
if ! "$PYTHON" -c 'import mmcv, mmengine, mmseg' 2>/dev/null; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile \
    --target /tmp/site "$KIT"/wheels/*.whl || return 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
