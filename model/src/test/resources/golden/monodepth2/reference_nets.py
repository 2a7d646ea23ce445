"""An independent PyTorch build of the monodepth2 architecture (seed digest §2.0) with torchvision's parameter names:
ResNet encoder with basic blocks (base width and blocks per stage configurable: 64/[2,2,2,2] is ResNet-18, 16/[1,1,1,1]
is depthstream's `lite`), depth decoder (reflection-padded 3x3 convs + ELU, nearest upsampling, skips, sigmoid heads)
and pose decoder (squeeze, two 3x3, 1x1 to 12, spatial mean x 0.01). Used by the golden generator beside it and by
integration-tests/bench/monodepth2_eager.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, images, base, blocks):
        super().__init__()
        self.conv1 = nn.Conv2d(3 * images, base, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        inplanes = base
        for stage, count in enumerate(blocks, start=1):
            planes = base << (stage - 1)
            layers = []
            for b in range(count):
                layers.append(BasicBlock(inplanes, planes, 2 if (b == 0 and stage > 1) else 1))
                inplanes = planes
            setattr(self, f"layer{stage}", nn.Sequential(*layers))


class Encoder(nn.Module):
    def __init__(self, images, base=16, blocks=(1, 1, 1, 1)):
        super().__init__()
        self.encoder = ResNet(images, base, blocks)
        self.channels = [base, base, base * 2, base * 4, base * 8]

    def forward(self, x):
        e = self.encoder
        x = (x - 0.45) / 0.225
        f = [F.relu(e.bn1(e.conv1(x)))]
        f.append(e.layer1(F.max_pool2d(f[-1], 3, 2, 1)))
        f.append(e.layer2(f[-1]))
        f.append(e.layer3(f[-1]))
        f.append(e.layer4(f[-1]))
        return f


class Conv3x3(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(cin, cout, 3)

    def forward(self, x):
        return self.conv(self.pad(x))


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = Conv3x3(cin, cout)

    def forward(self, x):
        return F.elu(self.conv(x))


class DepthDecoder(nn.Module):
    DEC = [16, 32, 64, 128, 256]

    def __init__(self, enc):
        super().__init__()
        self.up = {}
        modules = []
        for i in range(4, -1, -1):
            cin = enc[-1] if i == 4 else self.DEC[i + 1]
            self.up[(i, 0)] = ConvBlock(cin, self.DEC[i])
            self.up[(i, 1)] = ConvBlock(self.DEC[i] + (enc[i - 1] if i > 0 else 0), self.DEC[i])
            modules += [self.up[(i, 0)], self.up[(i, 1)]]
        self.disp = {s: Conv3x3(self.DEC[s], 1) for s in range(4)}
        modules += [self.disp[s] for s in range(4)]
        self.decoder = nn.ModuleList(modules)

    def forward(self, f):
        out, feats = {}, {}
        x = f[-1]
        for i in range(4, -1, -1):
            x = self.up[(i, 0)](x)
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            if i > 0:
                x = torch.cat([x, f[i - 1]], 1)
            x = self.up[(i, 1)](x)
            feats[i] = x
            if i < 4:
                out[i] = torch.sigmoid(self.disp[i](x))
        return out, feats


class PoseDecoder(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.net = nn.ModuleList([nn.Conv2d(enc[-1], 256, 1), nn.Conv2d(256, 256, 3, 1, 1),
                                  nn.Conv2d(256, 256, 3, 1, 1), nn.Conv2d(256, 12, 1)])

    def forward(self, f):
        x = F.relu(self.net[0](f[-1]))
        x = F.relu(self.net[1](x))
        x = F.relu(self.net[2](x))
        x = self.net[3](x).mean(3).mean(2)
        x = 0.01 * x.view(-1, 2, 1, 6)
        return x[:, 0, 0, :3], x[:, 0, 0, 3:]
