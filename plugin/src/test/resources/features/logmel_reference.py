#!/usr/bin/env python3
"""Independent double-precision reference for NeMo's log-mel front end (the Nemotron preprocessor).

Written from NeMo's FilterbankFeatures (features.py) and librosa.filters.mel, in numpy only, so that the Java
LogMelExtractor is checked against code that shares nothing with it:
  no dither; pre-emphasis 0.97 (y[0] = x[0]); torch.stft(n_fft=512, hop=160, win_length=400,
  window=hann_window(400, periodic=False), center=True, pad_mode="constant"); power spectrum;
  librosa.filters.mel(sr=16000, n_fft=512, n_mels=128, fmin=0, fmax=8000, htk=False, norm="slaney");
  ln(x + 2**-24); no normalisation; valid frames = get_seq_len(L) = (L + 2*256 - 512) // 160.

Usage: logmel_reference.py compare AUDIO CANDIDATE.npy
  AUDIO: a 16 kHz mono 16-bit .wav, or raw little-endian float32 samples (.f32)
  CANDIDATE: the features to check, [frames x 128] float32 .npy (loaded with numpy.load, so its header is checked too)
Prints one line: frames_ref=.. frames_got=.. max_abs=.. mean_abs=.. min_ref=.. max_ref=..
"""
import sys
import wave

import numpy as np

SR, N_FFT, HOP, WIN, N_MELS = 16000, 512, 160, 400, 128


def read_audio(path):
    if path.endswith(".wav"):
        with wave.open(path, "rb") as w:
            assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2, path
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return pcm.astype(np.float64) / 32768.0
    return np.fromfile(path, dtype="<f4").astype(np.float64)


def slaney_hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def slaney_mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters():
    fftfreqs = np.linspace(0, SR / 2, N_FFT // 2 + 1)
    mel_f = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(0.0), slaney_hz_to_mel(SR / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS])
    return weights * enorm[:, None]


def logmel(x):
    y = np.concatenate([x[:1], x[1:] - 0.97 * x[:-1]]) if len(x) else x
    n_frames = (len(x) + 2 * (N_FFT // 2) - N_FFT) // HOP
    if n_frames <= 0:
        return np.zeros((0, N_MELS))
    padded = np.concatenate([np.zeros(N_FFT // 2), y, np.zeros(N_FFT // 2 + HOP)])
    n = np.arange(WIN)
    window = np.zeros(N_FFT)
    window[(N_FFT - WIN) // 2:(N_FFT - WIN) // 2 + WIN] = 0.5 - 0.5 * np.cos(2 * np.pi * n / (WIN - 1))
    idx = np.arange(n_frames)[:, None] * HOP + np.arange(N_FFT)[None, :]
    spec = np.fft.rfft(padded[idx] * window[None, :], axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    return np.log(power @ mel_filters().T + 2.0 ** -24)


def main(argv):
    if len(argv) != 4 or argv[1] != "compare":
        sys.exit(__doc__)
    ref = logmel(read_audio(argv[2]))
    got = np.load(argv[3])
    assert got.dtype == np.float32 and got.ndim == 2 and got.shape[1] == N_MELS, (got.dtype, got.shape)
    if got.shape[0] != ref.shape[0]:
        print("frames_ref=%d frames_got=%d max_abs=nan mean_abs=nan min_ref=nan max_ref=nan" % (ref.shape[0], got.shape[0]))
        return
    err = np.abs(got.astype(np.float64) - ref)
    print("frames_ref=%d frames_got=%d max_abs=%.3e mean_abs=%.3e min_ref=%.4f max_ref=%.4f" % (
        ref.shape[0], got.shape[0], err.max() if err.size else 0.0, err.mean() if err.size else 0.0,
        ref.min() if ref.size else 0.0, ref.max() if ref.size else 0.0))


if __name__ == "__main__":
    main(sys.argv)
